import { createParser } from 'eventsource-parser';
import { StringDecoder } from 'node:string_decoder';
import type { ChannelContext, ConversionContext, ProviderAdapter, RelayMode, Usage } from '../adapter.types';
import { UpstreamReplyError } from '../errors';
import { assembleStreamedReply } from '../native/assemble-stream';
import { readUsage } from '../openai/usage';
import { classifyTransportError, classifyUnreadableReply, classifyUpstreamError, type UpstreamErrorVerdict } from './classify';
import { authorizeUpstreamRequest, classifyAuthorizationFailure, upstreamAuthHttp } from './authorize';
import { DecodedSource } from './decoded-source';
import { prepareUpstreamRequest } from './prepare';
import type { UpstreamCall, UpstreamClient, UpstreamSource } from './upstream-client';

export interface ExchangeOptions {
  /** The model the client asked for, reported back in converted replies (default `body.model`). */
  requestModel?: string;
  /** The model sent upstream after mapping (default `body.model`); replaced in the body. */
  upstreamModel?: string;
  /** The channel's system prompt ('' for none). */
  systemPrompt?: string;
  /** Limit for the whole exchange in ms (default the client's `totalTimeoutMs`; 0 = none). */
  totalTimeoutMs?: number;
  /** Aborts the exchange (the result is then a transport failure). */
  signal?: AbortSignal;
  /** Cap on the reply (a JSON body, an error body or a whole stream); default 16 MiB. */
  maxBodyBytes?: number;
}

/** A 2xx reply, in OpenAI's shapes. */
export interface ExchangeSuccess {
  ok: true;
  /** Upstream HTTP status. */
  status: number;
  headers: Readonly<Record<string, string>>;
  /** The OpenAI-shaped reply (JSON replies). */
  body?: Record<string, unknown>;
  /** OpenAI `chat.completion.chunk`s (streams); an upstream error event appears as `{error:{...}}`. */
  chunks?: Record<string, unknown>[];
  /** The reply bytes when they are not JSON (e.g. speech audio). */
  raw?: Buffer;
  /** The usage the upstream reported, if any. */
  usage?: Usage;
}

/** A failed exchange and what to do about it. */
export interface ExchangeFailure {
  ok: false;
  /** Upstream HTTP status; 0 when no response arrived. */
  status: number;
  verdict: UpstreamErrorVerdict;
  /** The transport error when no usable reply arrived (connection, timeout, abort, size cap). */
  cause?: Error;
}

export type ExchangeResult = ExchangeSuccess | ExchangeFailure;

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Error replies are short; more than this is a page of HTML or worse. */
const ERROR_BODY_LIMIT = 64 * 1024;

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`the upstream exchange took longer than ${ms} ms`), { code: 'UPSTREAM_TOTAL_TIMEOUT' });
}

/**
 * One upstream exchange for an OpenAI-shaped request body, read to its end: prepare (URL,
 * headers, body through the adapter, as the relay does) → send (`client`) → read the JSON reply
 * or the SSE stream through the adapter's converters → classify any failure. For the worker's
 * channel test, tools and specs; the relay prepares and classifies with the same functions but
 * streams replies to its client as they arrive.
 *
 * Throws only what `prepareUpstreamRequest` throws (the channel cannot serve the request);
 * every upstream failure is an `ExchangeFailure` with its verdict.
 */
export async function exchange(client: UpstreamClient, adapter: ProviderAdapter, ch: ChannelContext, mode: RelayMode, body: Record<string, unknown>, opts: ExchangeOptions = {}): Promise<ExchangeResult> {
  const model = typeof body.model === 'string' ? body.model : '';
  const conv: ConversionContext = { requestModel: opts.requestModel ?? model, upstreamModel: opts.upstreamModel ?? model };
  const stream = body.stream === true && (mode === 'chat' || mode === 'completions');
  const so = body.stream_options as { include_usage?: unknown } | null | undefined;
  const prepared = prepareUpstreamRequest(adapter, ch, mode, {
    json: body,
    multipart: false,
    contentType: 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    requestModel: conv.requestModel,
    upstreamModel: conv.upstreamModel,
    stream,
    includeUsage: stream && typeof so === 'object' && so !== null && so.include_usage === true,
    systemPrompt: opts.systemPrompt ?? '',
  });
  const secrets = [ch.key];
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let req = prepared;
  if (adapter.authorize) {
    try {
      req = await authorizeUpstreamRequest(adapter, ch, prepared, upstreamAuthHttp(client));
    } catch (error) {
      return { ok: false, status: 0, verdict: classifyAuthorizationFailure(adapter, error, secrets), cause: error as Error };
    }
  }
  const call = client.send(req);
  const totalMs = opts.totalTimeoutMs ?? client.totalTimeoutMs;
  const timer = totalMs > 0 ? setTimeout(() => call.abort(timeoutError(totalMs)), totalMs) : null;
  const signal = opts.signal;
  const onAbort = () => {
    // A plain `abort()` gives a DOMException, which is not an `Error` of this realm under Jest.
    const reason: unknown = signal?.reason;
    call.abort(typeof reason === 'object' && reason !== null && 'message' in reason ? (reason as Error) : Object.assign(new Error('upstream request aborted'), { code: 'UND_ERR_ABORTED' }));
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await call.started;
    } catch (error) {
      return { ok: false, status: 0, verdict: classifyTransportError(error as Error, { secrets }), cause: error as Error };
    }
    const status = call.statusCode;
    if (status < 200 || status >= 300) {
      const text = await call.collect(ERROR_BODY_LIMIT).then(
        (b) => b.toString('utf8'),
        () => '',
      );
      return { ok: false, status, verdict: classifyUpstreamError(adapter, { status, headers: call.headers, text, secrets }) };
    }
    const contentType = call.headers['content-type'] ?? '';
    if (stream && contentType.includes('text/event-stream')) return await readStream(call, { status, headers: call.headers }, adapter, conv, limit, secrets);
    if (stream && adapter.streamContentType && adapter.createStreamDecoder && contentType.includes(adapter.streamContentType)) {
      return await readStream(new DecodedSource(call, adapter.createStreamDecoder()), { status, headers: call.headers }, adapter, conv, limit, secrets);
    }
    return await readJson(call, adapter, mode, conv, limit, secrets, contentType);
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

async function readJson(call: UpstreamCall, adapter: ProviderAdapter, mode: RelayMode, conv: ConversionContext, limit: number, secrets: string[], contentType: string): Promise<ExchangeResult> {
  const status = call.statusCode;
  let buf: Buffer;
  try {
    buf = await call.collect(limit);
  } catch (error) {
    return { ok: false, status, verdict: classifyTransportError(error as Error, { afterHead: true, secrets }), cause: error as Error };
  }
  if (adapter.upstreamStreams && contentType.includes('text/event-stream')) {
    try {
      const c = assembleStreamedReply(adapter, buf.toString('utf8'), conv);
      return { ok: true, status, headers: call.headers, body: c.body, usage: c.usage };
    } catch (error) {
      if (error instanceof UpstreamReplyError) return { ok: false, status: error.status, verdict: classifyUpstreamError(adapter, { status: error.status, text: error.text, secrets }) };
      return { ok: false, status, verdict: classifyUnreadableReply((error as Error).message, secrets) };
    }
  }
  const looksJson = /json/i.test(contentType) || /^\s*[[{]/.test(buf.toString('utf8', 0, Math.min(buf.length, 64)));
  if (!looksJson && !adapter.convertResponse) return { ok: true, status, headers: call.headers, raw: buf };
  let json: unknown;
  try {
    json = JSON.parse(buf.toString('utf8'));
  } catch {
    return { ok: false, status, verdict: classifyUnreadableReply('the upstream answered invalid JSON', secrets) };
  }
  if (adapter.convertResponse) {
    try {
      const c = adapter.convertResponse(mode, json, conv);
      return { ok: true, status, headers: call.headers, body: c.body, usage: c.usage };
    } catch (error) {
      if (error instanceof UpstreamReplyError) return { ok: false, status: error.status, verdict: classifyUpstreamError(adapter, { status: error.status, text: error.text, secrets }) };
      return { ok: false, status, verdict: classifyUnreadableReply((error as Error).message, secrets) };
    }
  }
  return { ok: true, status, headers: call.headers, body: json as Record<string, unknown>, usage: readUsage(json) };
}

/** Reads an SSE reply to its end (or the upstream's `[DONE]`), converting events as the relay does. */
function readStream(call: UpstreamSource, head: { status: number; headers: Readonly<Record<string, string>> }, adapter: ProviderAdapter, conv: ConversionContext, limit: number, secrets: string[]): Promise<ExchangeResult> {
  const { status, headers } = head;
  return new Promise<ExchangeResult>((resolve) => {
    const chunks: Record<string, unknown>[] = [];
    let usage: Usage | undefined;
    let done = false;
    let settled = false;
    let size = 0;
    const state = adapter.convertStreamEvent && adapter.createStreamState ? adapter.createStreamState(conv) : undefined;
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
          /* malformed event: dropped, as the relay does */
        }
      },
    });
    const decoder = new StringDecoder('utf8');
    const succeed = () => {
      if (settled) return;
      settled = true;
      resolve({ ok: true, status, headers, chunks, usage: state ? state.usage : usage });
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      resolve({ ok: false, status, verdict: classifyTransportError(error, { afterHead: true, secrets }), cause: error });
    };
    call.stream({
      data(chunk) {
        if (settled) return false;
        size += chunk.length;
        if (size > limit) {
          const error = Object.assign(new Error(`the upstream stream is larger than ${limit} bytes`), { code: 'UPSTREAM_BODY_TOO_LARGE' });
          fail(error);
          call.abort(error);
          return false;
        }
        parser.feed(decoder.write(chunk));
        if (!done) return true;
        // Whatever follows the end of the stream is not read: the connection is dropped.
        succeed();
        call.abort();
        return false;
      },
      end() {
        if (!done) parser.feed(decoder.end());
        succeed();
      },
      error: fail,
    });
  });
}
