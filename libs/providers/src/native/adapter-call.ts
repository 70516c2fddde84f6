import { createParser } from 'eventsource-parser';
import { StringDecoder } from 'node:string_decoder';
import { request } from 'undici';
import type { ChannelContext, ProviderAdapter, RelayMode, Usage } from '../adapter.types';
import { anthropicErrorToOpenAI } from '../anthropic/anthropic-chat';
import { geminiErrorToOpenAI } from '../gemini/gemini-chat';
import { readUsage } from '../openai/usage';
import { openAIError, type OpenAIErrorBody } from './openai-chunks';

/** What one adapter call produced, in OpenAI's shapes. */
export interface AdapterCallResult {
  /** Upstream HTTP status. */
  status: number;
  /** The OpenAI-shaped reply (non-streamed), or the OpenAI error body when status is not 2xx. */
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

/** An upstream error body in OpenAI's shape, per wire format. */
export function upstreamErrorToOpenAI(adapter: ProviderAdapter, status: number, text: string): OpenAIErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return openAIError(`upstream error (status ${status})`, 'upstream_error');
  }
  const converted = adapter.wireFormat === 'anthropic' ? anthropicErrorToOpenAI(parsed) : adapter.wireFormat === 'gemini' ? geminiErrorToOpenAI(parsed) : undefined;
  if (converted) return converted;
  const e = (parsed as { error?: { message?: unknown; type?: unknown; code?: unknown } } | null)?.error;
  if (e && typeof e === 'object' && typeof e.message === 'string') {
    return openAIError(e.message, typeof e.type === 'string' ? e.type : 'upstream_error', typeof e.code === 'string' ? e.code : null);
  }
  return openAIError(`upstream error (status ${status})`, 'upstream_error');
}

/**
 * Sends one OpenAI-shaped request through `adapter` to the channel's upstream with undici and
 * converts the reply back — the same hooks, in the same order, as the relay's hot path
 * (requestUrl/requestHeaders → convertRequest → convertResponse or createStreamState +
 * convertStreamEvent). For channel tests, tools and integration specs; the relay has its own
 * streaming loop that writes chunks as they arrive.
 */
export async function callAdapter(adapter: ProviderAdapter, ch: ChannelContext, mode: RelayMode, body: Record<string, unknown>, opts: AdapterCallOptions = {}): Promise<AdapterCallResult> {
  const model = typeof body.model === 'string' ? body.model : '';
  const stream = body.stream === true;
  const ctx = { requestModel: opts.requestModel ?? model, upstreamModel: model };
  const info = { stream, model };
  const url = adapter.requestUrl(ch, mode, model, info);
  const headers = adapter.requestHeaders(ch, mode, { contentType: 'application/json', accept: stream ? 'text/event-stream' : 'application/json' }, info);
  const payload = adapter.convertRequest ? adapter.convertRequest(mode, body, ctx) : body;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const res = await request(url, {
    method: 'POST',
    headers,
    body: JSON.stringify(payload),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: opts.signal ?? AbortSignal.timeout(timeoutMs),
  });
  if (res.statusCode < 200 || res.statusCode >= 300) {
    return { status: res.statusCode, body: { ...upstreamErrorToOpenAI(adapter, res.statusCode, await res.body.text()) } };
  }
  const contentType = String(res.headers['content-type'] ?? '');
  if (!stream || !contentType.includes('text/event-stream')) {
    const json = (await res.body.json()) as unknown;
    if (adapter.convertResponse) {
      const c = adapter.convertResponse(mode, json, ctx);
      return { status: res.statusCode, body: c.body, usage: c.usage };
    }
    return { status: res.statusCode, body: json as Record<string, unknown>, usage: readUsage(json) };
  }

  const chunks: Record<string, unknown>[] = [];
  let usage: Usage | undefined;
  let done = false;
  const state = adapter.convertStreamEvent && adapter.createStreamState ? adapter.createStreamState(ctx) : undefined;
  const parser = createParser({
    onEvent: (event) => {
      if (done) return;
      if (state && adapter.convertStreamEvent) {
        const c = adapter.convertStreamEvent({ event: event.event, data: event.data }, state);
        chunks.push(...c.chunks);
        done = c.done;
        return;
      }
      if (event.data === '[DONE]') {
        done = true;
        return;
      }
      try {
        const chunk = JSON.parse(event.data) as Record<string, unknown>;
        chunks.push(chunk);
        usage = readUsage(chunk) ?? usage;
      } catch {
        /* not JSON: skip, as the relay does */
      }
    },
  });
  const decoder = new StringDecoder('utf8');
  for await (const part of res.body) {
    parser.feed(decoder.write(part as Buffer));
    if (done) break;
  }
  if (!done) parser.feed(decoder.end());
  res.body.destroy();
  return { status: res.statusCode, chunks, usage: state ? state.usage : usage };
}
