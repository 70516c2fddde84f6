import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';

/** Replicate's problem-details errors. */
function problem(ctx: UpstreamContext, status: number, title: string, detail: string): void {
  ctx.json(status, { title, detail, status });
}

const TOP_LEVEL = new Set(['input', 'stream', 'webhook', 'webhook_events_filter']);
const INPUT = new Set(['prompt', 'system_prompt', 'max_tokens', 'min_tokens', 'temperature', 'top_p', 'top_k', 'presence_penalty', 'frequency_penalty', 'stop_sequences', 'seed', 'prompt_template', 'length_penalty', 'max_new_tokens']);

/**
 * A fake Replicate predictions API for language models: `POST /v1/models/{owner}/{name}/predictions`
 * with the API token as Bearer (401 problem details otherwise). With `Prefer: wait` it answers the
 * finished prediction (`output` as text pieces, `metrics.input_token_count/output_token_count`);
 * without it, a `starting` prediction, as Replicate's async mode does. Unknown fields are a 422.
 * Knobs through the model name (`owner/name-chunks-3`, `...-failed` for a failed prediction).
 */
export async function startFakeReplicate(opts: FakeUpstreamOptions & { apiKey: string }): Promise<FakeUpstream> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, req, res } = ctx;
    const m = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(record.path);
    if (req.method !== 'POST' || !m) return problem(ctx, 404, 'Not found', 'The requested resource could not be found.');
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`) return problem(ctx, 401, 'Unauthenticated', 'You did not pass a valid authentication token');
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    for (const k of Object.keys(body)) if (!TOP_LEVEL.has(k)) return problem(ctx, 422, 'Input validation failed', `- Additional property ${k} is not allowed`);
    const input = body.input as Record<string, unknown> | undefined;
    if (typeof input !== 'object' || input === null || typeof input.prompt !== 'string') return problem(ctx, 422, 'Input validation failed', '- input: prompt is required');
    for (const k of Object.keys(input)) if (!INPUT.has(k)) return problem(ctx, 422, 'Input validation failed', `- input: Additional property ${k} is not allowed`);
    const model = decodeURIComponent(m[2]);
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(model) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return problem(ctx, k.status, 'Error', k.errorMessage ?? `fake Replicate: ${k.status}`);
    const id = 'rep-fake-prediction';
    const urls = { get: `http://127.0.0.1/v1/predictions/${id}`, cancel: `http://127.0.0.1/v1/predictions/${id}/cancel`, stream: `http://127.0.0.1/v1/streams/${id}` };
    if (!/^wait(=\d+)?$/.test(String(req.headers.prefer ?? ''))) return ctx.json(201, { id, model: `${m[1]}/${model}`, input, status: 'starting', output: null, error: null, urls });
    if (/(?:^|-)failed(?:-|$)/.test(model)) return ctx.json(201, { id, input, status: 'failed', output: null, error: 'CUDA out of memory', urls });
    const output = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    return ctx.json(201, {
      id,
      model: `${m[1]}/${model}`,
      input,
      status: 'succeeded',
      output,
      error: null,
      metrics: { input_token_count: k.promptTokens, output_token_count: k.completionTokens ?? output.length, predict_time: 0.4, tokens_per_second: 50 },
      urls,
    });
  });
  return controls(server);
}
