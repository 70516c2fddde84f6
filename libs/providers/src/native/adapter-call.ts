import type { ChannelContext, ProviderAdapter, RelayMode, Usage } from '../adapter.types';
import { exchange } from '../exchange/exchange';
import { UpstreamClient } from '../exchange/upstream-client';

export { upstreamErrorToOpenAI } from '../exchange/classify';

/** What one adapter call produced, in OpenAI's shapes. */
export interface AdapterCallResult {
  /** Upstream HTTP status. */
  status: number;
  /** The OpenAI-shaped reply (non-streamed), or the upstream's error (sanitised) when status is not 2xx. */
  body?: Record<string, unknown>;
  /** OpenAI `chat.completion.chunk`s (streamed); an error line appears as `{error:{...}}`. */
  chunks?: Record<string, unknown>[];
  /** The usage the upstream reported, if any. */
  usage?: Usage;
}

export interface AdapterCallOptions {
  /** The model the client asked for (defaults to `body.model`). */
  requestModel?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Sends one OpenAI-shaped request through `adapter` to the channel's upstream and converts the
 * reply back: `exchange()` on a client of its own, closed afterwards. `body.model` is sent as is.
 * For tools and specs that want the plain result; an error reply comes back as its status and
 * the upstream's error in OpenAI's shape, and a request that got no reply at all throws.
 */
export async function callAdapter(adapter: ProviderAdapter, ch: ChannelContext, mode: RelayMode, body: Record<string, unknown>, opts: AdapterCallOptions = {}): Promise<AdapterCallResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const client = new UpstreamClient({ connectTimeoutMs: timeoutMs, firstByteTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs, totalTimeoutMs: timeoutMs });
  try {
    const r = await exchange(client, adapter, ch, mode, body, { requestModel: opts.requestModel, signal: opts.signal });
    if (r.ok) return { status: r.status, body: r.body, chunks: r.chunks, usage: r.usage };
    if (r.cause && r.status === 0) throw r.cause;
    return { status: r.status, body: { error: r.verdict.upstream } };
  } finally {
    await client.close();
  }
}
