import { startUpstreamServer, type UpstreamContext, type UpstreamServer } from './fake-server';

/**
 * Which provider's rerank the fake plays:
 * - `cohere`: `POST /v2/rerank` (https://docs.cohere.com/reference/rerank): `model`, `query` and
 *   `documents` (strings only) required, `top_n`, `max_tokens_per_doc`; any other field is a 400;
 *   replies `{id, results: [{index, relevance_score}], meta: {billed_units: {search_units}}}`.
 * - `jina`: `POST /v1/rerank` (https://jina.ai/reranker/): documents as strings or `{text}`,
 *   `top_n`, `return_documents` (default true); replies `{model, usage: {total_tokens}, results}`.
 * - `siliconflow`: `POST /v1/rerank` (https://docs.siliconflow.cn/en/api-reference/rerank/create-rerank):
 *   documents as strings; replies `{id, results, meta: {billed_units, tokens: {input_tokens}}}`.
 * Every flavour answers with and without the `/v1` prefix of OpenAI-compatible base URLs.
 */
export type RerankFlavor = 'cohere' | 'jina' | 'siliconflow';

export interface FakeRerankOptions {
  flavor: RerankFlavor;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

/** Tokens as the fakes count them: whitespace-separated words (deterministic, easy to predict in tests). */
export function fakeRerankTokens(query: string, documents: readonly string[]): number {
  const words = (s: string) => s.split(/\s+/).filter((w) => w !== '').length;
  return words(query) + documents.reduce((n, d) => n + words(d), 0);
}

/** A deterministic score: the share of the query's words the document contains. */
function score(query: string, doc: string): number {
  const q = query.toLowerCase().split(/\W+/).filter((w) => w !== '');
  const d = new Set(doc.toLowerCase().split(/\W+/));
  const hits = q.filter((w) => d.has(w)).length;
  return Math.round(((hits + 1) / (q.length + 2)) * 1e6) / 1e6;
}

const COHERE_FIELDS = new Set(['model', 'query', 'documents', 'top_n', 'max_tokens_per_doc']);

/** What the flavour's API refuses; the message as the provider words it (roughly). */
function invalid(flavor: RerankFlavor, body: Record<string, unknown>): string | undefined {
  if (typeof body.model !== 'string' || body.model === '') return 'model is required';
  if (typeof body.query !== 'string' || body.query === '') return 'query is required';
  if (!Array.isArray(body.documents) || body.documents.length === 0) return 'documents is required';
  const objectsOk = flavor === 'jina';
  for (const [i, d] of body.documents.entries()) {
    const ok = typeof d === 'string' || (objectsOk && typeof d === 'object' && d !== null && typeof (d as { text?: unknown }).text === 'string');
    if (!ok) return `documents[${i}] must be a string`;
  }
  if (body.top_n !== undefined && (!Number.isInteger(body.top_n) || (body.top_n as number) < 1)) return 'top_n must be a positive integer';
  if (flavor === 'cohere') {
    for (const k of Object.keys(body)) if (!COHERE_FIELDS.has(k)) return `invalid request: unknown field ${k}`;
  } else if (body.return_documents !== undefined && typeof body.return_documents !== 'boolean') return 'return_documents must be a boolean';
  return undefined;
}

function respond(flavor: RerankFlavor, ctx: UpstreamContext): void {
  const body = (typeof ctx.record.body === 'object' && ctx.record.body !== null ? ctx.record.body : {}) as Record<string, unknown>;
  const bad = invalid(flavor, body);
  if (bad) {
    ctx.json(400, flavor === 'cohere' ? { id: 'fake', message: bad } : flavor === 'jina' ? { detail: bad } : { code: 20015, message: bad, data: null });
    return;
  }
  const query = body.query as string;
  const texts = (body.documents as unknown[]).map((d) => (typeof d === 'string' ? d : (d as { text: string }).text));
  const ranked = texts.map((t, index) => ({ index, relevance_score: score(query, t) })).sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  const top = ranked.slice(0, typeof body.top_n === 'number' ? body.top_n : ranked.length);
  const tokens = fakeRerankTokens(query, texts);
  if (flavor === 'cohere') {
    ctx.json(200, { id: 'rerank-fake', results: top, meta: { api_version: { version: '2' }, billed_units: { search_units: Math.ceil(texts.length / 100) } } });
    return;
  }
  // Jina returns documents unless told not to; SiliconFlow only when asked.
  const withDocs = flavor === 'jina' ? body.return_documents !== false : body.return_documents === true;
  const results = top.map((r) => (withDocs ? { ...r, document: { text: texts[r.index] } } : r));
  if (flavor === 'jina') ctx.json(200, { model: body.model, usage: { total_tokens: tokens }, results });
  else ctx.json(200, { id: 'rerank-fake', results, meta: { billed_units: { input_tokens: tokens, output_tokens: 0, search_units: 0, classifications: 0 }, tokens: { input_tokens: tokens, output_tokens: 0 } } });
}

/**
 *   const fake = await startFakeRerank({ flavor: 'cohere' });   // channel base_url = fake.url
 *   ... fake.requestsTo('/rerank')[0].body
 */
export async function startFakeRerank(opts: FakeRerankOptions): Promise<UpstreamServer> {
  const path = opts.flavor === 'cohere' ? /^\/v2\/rerank$/ : /^(\/v1)?\/rerank$/;
  return startUpstreamServer((ctx) => {
    const auth = ctx.req.headers.authorization;
    const authorized = opts.apiKey === undefined ? typeof auth === 'string' && /^Bearer \S+/.test(auth) : auth === `Bearer ${opts.apiKey}`;
    if (!authorized) return ctx.json(401, opts.flavor === 'cohere' ? { id: 'fake', message: 'invalid api token' } : { detail: 'Unauthorized' });
    if (ctx.req.method !== 'POST' || !path.test(ctx.record.path)) return ctx.json(404, { message: `fake rerank: no route for ${ctx.req.method} ${ctx.record.path}` });
    if (!String(ctx.req.headers['content-type'] ?? '').includes('application/json')) return ctx.json(415, { message: 'expected application/json' });
    respond(opts.flavor, ctx);
  });
}
