import { forwardTo, startUpstreamServer, type UpstreamContext } from './fake-server';
import { startFakeOpenAI, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';

export interface FakeCloudflareOptions extends FakeUpstreamOptions {
  accountId: string;
  /** The API token every request must carry as Bearer. */
  apiKey: string;
}

export interface FakeCloudflare extends FakeUpstream {
  /** The fake OpenAI-compatible model server behind the account routes (knobs, request records). */
  backend: FakeUpstream;
}

/** Cloudflare's v4 API error envelope. */
function cfError(ctx: UpstreamContext, status: number, code: number, message: string): void {
  ctx.json(status, { errors: [{ code, message }], success: false, result: null, messages: [] });
}

/**
 * A fake Cloudflare API for Workers AI's OpenAI-compatible routes:
 * `POST /client/v4/accounts/{account_id}/ai/v1/chat/completions` and `/embeddings`, the API token
 * as Bearer (401 "Authentication error" in Cloudflare's envelope), an unknown account 403 as
 * Cloudflare answers; the model replies come from a fake OpenAI-compatible server (same knobs).
 */
export async function startFakeCloudflare(opts: FakeCloudflareOptions): Promise<FakeCloudflare> {
  const backendKey = 'cf-backend-key';
  const backend = await startFakeOpenAI({ knobs: opts.knobs, apiKey: backendKey });
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, req } = ctx;
    const m = /^\/client\/v4\/accounts\/([^/]+)\/ai\/v1\/(chat\/completions|embeddings)$/.exec(record.path);
    if (req.method !== 'POST' || !m) return cfError(ctx, 404, 7000, 'No route for that URI');
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`) return cfError(ctx, 401, 10000, 'Authentication error');
    if (m[1] !== opts.accountId) return cfError(ctx, 403, 10000, 'Authentication error: account not authorized');
    return forwardTo(ctx, backend.url, `/v1/${m[2]}`, { authorization: `Bearer ${backendKey}`, accept: String(req.headers.accept ?? 'application/json') }, record.body);
  });
  return {
    ...backend,
    ...server,
    backend,
    close: async () => {
      await server.close();
      await backend.close();
    },
  };
}
