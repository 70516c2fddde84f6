import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';
import { writeSseEvents } from './sse-writer';

const FIELDS = new Set(['model', 'query', 'libraryId', 'stream']);

/**
 * A fake AIProxy knowledge base (`POST /api/library/ask`): Bearer key (401 otherwise), the
 * configured `libraryId` (errCode 404 otherwise), no other fields; answers `{success, answer,
 * documents}` or SSE `{content, finish, documents}` events. It reports no usage, like the real
 * one. Knobs through the model name; `...-docs` adds two source documents.
 */
export async function startFakeAIProxyLibrary(opts: FakeUpstreamOptions & { apiKey: string; libraryId: string }): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, req, res } = ctx;
    if (req.method !== 'POST' || record.path !== '/api/library/ask') return ctx.json(404, { success: false, errCode: 404, message: 'not found' });
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`) return ctx.json(401, { success: false, errCode: 401, message: 'invalid api key' });
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    for (const k of Object.keys(body)) if (!FIELDS.has(k)) return ctx.json(400, { success: false, errCode: 400, message: `unknown field ${k}` });
    if (typeof body.query !== 'string' || body.query === '') return ctx.json(400, { success: false, errCode: 400, message: 'query is required' });
    if (body.libraryId !== opts.libraryId) return ctx.json(200, { success: false, errCode: 404, message: 'library not found' });
    const model = typeof body.model === 'string' ? body.model : '';
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(model) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return ctx.json(k.status, { success: false, errCode: k.status, message: k.errorMessage ?? `fake AIProxy: ${k.status}` });
    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    const documents = /(?:^|-)docs(?:-|$)/.test(model) ? [{ title: 'Guide', url: 'https://docs.example.com/guide' }, { title: 'FAQ', url: 'https://docs.example.com/faq' }] : [];
    if (body.stream !== true) return ctx.json(200, { success: true, answer: pieces.join(''), documents });
    const events = pieces.map((p) => ({ text: `data: ${JSON.stringify({ content: p, finish: false, model })}\n\n`, content: true }));
    events.push({ text: `data: ${JSON.stringify({ content: '', finish: true, model, documents })}\n\n`, content: false });
    await writeSseEvents(res, k, events);
  });
  return controls(server);
}
