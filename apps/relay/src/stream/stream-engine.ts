import type { ServerResponse } from 'node:http';
import { readUsage, type ProviderAdapter, type StreamConversion, type StreamState, type Usage } from '@oneapi/providers';
import { FrameResult, SseFramer, type SseEventHandler } from './sse-framer';
import { checkJson, JSON_ERROR, JSON_USAGE } from './json-check';
import { chunkText, isUsageOnlyChunk, parseSseFields } from './sse-fields';

/** Where a {@link StreamSource} delivers the body. Called as methods (`sink.data(c)`). */
export interface StreamSink {
  /**
   * One body chunk, which the engine may keep (pending event, socket queue): a source must not
   * reuse its memory. False = pause until `resume()` (chunks that still arrive are handled).
   */
  data(chunk: Buffer): boolean;
  /** The body ended normally. */
  end(): void;
  /** The body failed (reset, undici timeout, abort). */
  error(err: Error): void;
}

/**
 * What the engine reads: the upstream body. `UpstreamCall` satisfies it. `stream()` is called
 * once; `resume()` after each pause, any number of times, from the client's 'drain' event;
 * `abort()` when the engine ends the stream early, with an Error whose `code` is
 * `RELAY_STREAM_<REASON>` (the source may then still call `error`, which is ignored). After the
 * client got `[DONE]` the source is read to its end, or aborted if it stays open for a second.
 */
export interface StreamSource {
  stream(sink: StreamSink): void;
  resume(): void;
  abort(reason?: Error): void;
}

/**
 * Why a stream ended: `complete` (the upstream finished, or sent `[DONE]` / the converter's
 * end), `client_gone` (the response closed before we ended it), or an abnormal end the client
 * is told about with an error event: `idle_timeout`, `total_timeout`, `upstream_reset` (the
 * source failed), `line_too_long` (an event above `maxLineBytes`), `shutdown`.
 */
export type StreamEndReason = 'complete' | 'client_gone' | 'idle_timeout' | 'total_timeout' | 'upstream_reset' | 'line_too_long' | 'shutdown';

/** What a stream delivered, for settlement and the log row. */
export interface StreamResult {
  reason: StreamEndReason;
  /** The last usage the upstream reported (OpenAI shape); converted streams: `state.usage`. */
  usage: Usage | undefined;
  /**
   * Generated text delivered to the client (content, `text`, tool-call names and arguments),
   * for counting completion tokens locally when `usage` is missing. Empty for raw-sse/binary.
   */
  text: string;
  /** Bytes written to the client (upstream events, added chunks, the error event and `[DONE]`). */
  bytes: number;
  /** Upstream events dropped: `data:` that is not JSON, or a named event without data. */
  droppedEvents: number;
  /** performance.now() when the first upstream-derived byte was written to the client, 0 if none. */
  firstByteAt: number;
  /** The source's error, when `reason` is `upstream_reset` (for the log, never for the client). */
  error?: Error;
  /**
   * Set when the stream ended before the provider's final usage: `usage` is what it reported so
   * far and this is the text delivered meanwhile; settlement bills the larger completion count.
   */
  pendingText?: string;
}

/**
 * OpenAI chat/completions SSE passed through: complete events leave at once, as received;
 * each `data:` payload other than `[DONE]` must parse as JSON or the event is dropped;
 * `data: [DONE]` is added if the upstream omitted it.
 */
export interface OpenAISseFormat {
  kind: 'openai-sse';
  /** The relay, not the client, asked for usage: drop the `{"choices":[],"usage":...}` chunk (its usage is still recorded). */
  dropUsageOnlyChunk?: boolean;
  /**
   * The client asked for `include_usage` but the upstream cannot send it: called once the
   * stream completes, before `[DONE]`; the object returned goes out as a `data:` chunk. It may
   * set `r.usage` so that settlement bills the same count.
   */
  usageChunk?: (r: StreamResult) => object | undefined;
}

/**
 * A non-OpenAI SSE stream (Anthropic, Gemini) converted event by event to OpenAI chunks, each
 * sent as a `data:` line, then `[DONE]`. Once the converter says done the client's response
 * ends and the rest of the body is ignored. An event whose data is not JSON and yields no
 * chunk, or that the converter throws on, counts as dropped.
 */
export interface ConvertedSseFormat {
  kind: 'converted-sse';
  adapter: Pick<ProviderAdapter, 'convertStreamEvent'>;
  /** From `adapter.createStreamState(...)`; `state.usage` becomes the result's usage. */
  state: StreamState;
  /** Whether the converter's usage-only chunk reaches the client (the client asked for it). */
  includeUsage: boolean;
}

/**
 * Reads a client protocol's own events as a native upstream streams them (Anthropic Messages
 * from an Anthropic channel): usage for settlement and the protocol's end. Per request.
 */
export interface ProtocolEventReader {
  /** One upstream event, its data parsed; true once the protocol's last event went by. */
  event(name: string | undefined, data: unknown): boolean;
  /** Usage reported so far (OpenAI shape, cache fields included). */
  readonly usage: Usage | undefined;
  /**
   * Generated text delivered while the upstream has not reported its final output count
   * (undefined once it has): what settlement counts when the stream breaks off early.
   */
  readonly pendingText: string | undefined;
  /** The protocol's error event for an abnormal end (nothing follows it). */
  error(code: string, message: string): string;
  /**
   * Where an event carries upstream error text in this protocol's shape (the object holding its
   * `message`, e.g. the Responses `error` event itself or `response.failed`'s `response.error`),
   * so it is sanitised before it is forwarded; absent or undefined: `data.error` as in OpenAI's.
   */
  errorOf?(data: unknown): { message?: unknown } | undefined;
}

/** Turns OpenAI chat chunks into a client protocol's SSE events (the chat bridge). Per request. */
export interface ChunkTranslator {
  /** The events one chat chunk yields ('' for none); the usage-only chunk included. */
  chunk(chunk: Record<string, unknown>): string;
  /** The closing events of a normal end. */
  end(): string;
  /** The protocol's error event for an abnormal end (nothing follows it). */
  error(code: string, message: string): string;
}

/**
 * A client protocol's stream relayed as the upstream sent it (native pass-through): events
 * forwarded byte for byte (an upstream error event's message sanitised), each `data:` checked
 * to be JSON; no `[DONE]`. Ends when the reader sees the protocol's last event.
 */
export interface ProtocolSseFormat {
  kind: 'protocol-sse';
  reader: ProtocolEventReader;
}

/**
 * Chat chunks (an OpenAI-wire stream, or a native one the adapter converts to chunks) turned into
 * a client protocol's events by `translator`; no `[DONE]`.
 */
export interface BridgedSseFormat {
  kind: 'bridged-sse';
  translator: ChunkTranslator;
  /** Set when the upstream's stream must first become chat chunks (Gemini, Anthropic wire). */
  convert?: { adapter: Pick<ProviderAdapter, 'convertStreamEvent'>; state: StreamState };
}

/** SSE that is not chat chunks (text-to-speech `stream_format: "sse"`): validated and forwarded; no `[DONE]` added. */
export interface RawSseFormat {
  kind: 'raw-sse';
}

/** Bytes forwarded as they arrive (text-to-speech audio). An abnormal end destroys the response. */
export interface BinaryFormat {
  kind: 'binary';
}

/** How the body is read and what reaches the client. */
export type StreamFormat = OpenAISseFormat | ConvertedSseFormat | ProtocolSseFormat | BridgedSseFormat | RawSseFormat | BinaryFormat;

/** Builders for {@link StreamFormat} (plain objects; these only name the fields). */
export const StreamFormats = {
  openAI: (opts: Omit<OpenAISseFormat, 'kind'> = {}): OpenAISseFormat => ({ kind: 'openai-sse', ...opts }),
  converted: (adapter: Pick<ProviderAdapter, 'convertStreamEvent'>, state: StreamState, includeUsage: boolean): ConvertedSseFormat => ({
    kind: 'converted-sse',
    adapter,
    state,
    includeUsage,
  }),
  protocol: (reader: ProtocolEventReader): ProtocolSseFormat => ({ kind: 'protocol-sse', reader }),
  bridged: (translator: ChunkTranslator, convert?: BridgedSseFormat['convert']): BridgedSseFormat => ({ kind: 'bridged-sse', translator, convert }),
  raw: (): RawSseFormat => ({ kind: 'raw-sse' }),
  binary: (): BinaryFormat => ({ kind: 'binary' }),
} as const;

/** Default cap on one SSE event held in memory (SPEC 13). */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Default time a response ended with bytes still queued may go without draining any before its socket is destroyed. */
export const DEFAULT_END_GRACE_MS = 5000;
/**
 * Ends every open stream at once (the relay's shutdown). A plain set, not an AbortSignal: an
 * EventTarget listener added and removed per stream showed in the stream profile.
 */
export class StreamShutdown {
  readonly streams = new Set<() => void>();
  fired = false;

  fire(): void {
    if (this.fired) return;
    this.fired = true;
    for (const stop of [...this.streams]) stop();
  }
}

/** How long the source may stay open after the client got `[DONE]` (keeps the upstream connection reusable). */
const SOURCE_DRAIN_MS = 1000;

export interface RunStreamOptions {
  source: StreamSource;
  /** The client response; its head is already written by the caller. Ended (or destroyed) by the engine. */
  res: ServerResponse;
  format: StreamFormat;
  /** 0 = off. No byte moved upstream→client for this long ⇒ `idle_timeout`; runs while paused too (a client that never reads is idle). */
  idleMs: number;
  /** performance.now() value after which ⇒ `total_timeout`; Infinity = none. */
  deadline: number;
  /** Cap on one SSE event held in memory ⇒ `line_too_long` (config; {@link DEFAULT_MAX_LINE_BYTES}). */
  maxLineBytes: number;
  /** Fired ⇒ `shutdown`. */
  shutdown?: StreamShutdown;
  /** Called once, with the first upstream-derived byte written. */
  onFirstByte?: () => void;
  /** Appended to the error event's message as ` (request id: X)`, as the relay's other errors are. */
  requestId?: string;
  /** See {@link DEFAULT_END_GRACE_MS}. */
  endGraceMs?: number;
  /**
   * Cleans an upstream's own error message (`data: {"error":...}` in an SSE stream) before it is
   * passed on: keys, URLs and hosts removed. Without it such events pass unchanged.
   */
  sanitize?: (message: string) => string;
}

const MESSAGES: Record<Exclude<StreamEndReason, 'complete' | 'client_gone'>, string> = {
  idle_timeout: 'the stream stalled: no data moved within the idle timeout',
  total_timeout: 'the stream exceeded the total time limit',
  upstream_reset: 'the upstream connection broke off',
  line_too_long: 'an upstream event exceeded the size limit',
  shutdown: 'the relay is shutting down',
};

const DONE = Buffer.from('data: [DONE]\n\n');
const LF_BUF = Buffer.from('\n');

/** Why a stream ended abnormally, in words for the client, with the request id. */
export function streamEndMessage(reason: StreamEndReason, requestId?: string): string {
  return (MESSAGES[reason as keyof typeof MESSAGES] ?? 'the stream ended abnormally') + (requestId ? ` (request id: ${requestId})` : '');
}

/** The SSE error event an abnormal end writes before `[DONE]` (OpenAI's error shape; SDKs raise APIError). */
export function sseErrorEvent(reason: StreamEndReason, requestId?: string): string {
  const message = streamEndMessage(reason, requestId);
  return `data: ${JSON.stringify({ error: { message, type: 'upstream_error', param: null, code: reason } })}\n\n`;
}

/**
 * Relays one streamed upstream body to the client and resolves when both are finished (it
 * rejects only on a misuse: a converted-sse adapter without `convertStreamEvent`). Backpressure: a full client socket pauses the source until 'drain', any number of
 * times; the writes of one tick leave in one `res.write`. One timer covers idle and total time.
 * Every abnormal end aborts the source and, for SSE, writes an error event and `[DONE]` before
 * ending the response (a binary response is destroyed instead, so truncated audio never looks
 * complete). All timers and listeners are released when the promise resolves, except that a
 * response ended with bytes still queued is destroyed if it drains nothing for `endGraceMs`.
 */
export function runStream(opts: RunStreamOptions): Promise<StreamResult> {
  return new Promise<StreamResult>((resolve) => new StreamRun(opts, resolve).start());
}

/** One relayed stream: the sink of the source and the handler of the framer's events. */
class StreamRun implements StreamSink, SseEventHandler {
  private readonly result: StreamResult = { reason: 'complete', usage: undefined, text: '', bytes: 0, droppedEvents: 0, firstByteAt: 0 };
  private readonly source: StreamSource;
  private readonly res: ServerResponse;
  private readonly format: StreamFormat;
  private readonly framer: SseFramer | undefined;
  private readonly idleMs: number;
  private deadline: number;
  private clientOpen = true;
  private sourceOpen = true;
  private resolved = false;
  /** A write returned false and no 'drain' came yet. */
  private full = false;
  /** We returned false to the source since its last resume(). */
  private paused = false;
  /** Bytes written this tick, handed to the response at its end (`handOver`). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private queued = false;
  /** The upstream's `[DONE]` already went out with the forwarded bytes. */
  private doneWritten = false;
  private timer: NodeJS.Timeout | undefined;
  private lastProgressAt = 0;
  /** `res.writableLength` when last looked at while full: it shrinking is progress too. */
  private lastQueued = -1;
  /** A run of contiguous bytes to forward: `runBuf[runStart, runEnd)`, written at the end of the chunk. */
  private runBuf: Buffer | undefined;
  private runStart = 0;
  private runEnd = 0;
  /** Converted chunks of the current upstream chunk, written at its end. */
  private batch = '';
  /** The bridged stream already ended in the client's protocol (an upstream error event went out). */
  private translatorEnded = false;
  /** openai-sse payloads relayed, for `countText` (views into the upstream's chunks). */
  private payloads: Buffer[] = [];

  constructor(
    private readonly opts: RunStreamOptions,
    private readonly resolveRun: (r: StreamResult) => void,
  ) {
    this.source = opts.source;
    this.res = opts.res;
    this.format = opts.format;
    this.idleMs = opts.idleMs > 0 ? opts.idleMs : 0;
    this.deadline = opts.deadline;
    this.framer = opts.format.kind === 'binary' ? undefined : new SseFramer(opts.maxLineBytes > 0 ? opts.maxLineBytes : DEFAULT_MAX_LINE_BYTES);
    if (opts.format.kind === 'converted-sse' && typeof opts.format.adapter.convertStreamEvent !== 'function') {
      throw new TypeError('converted-sse needs an adapter with convertStreamEvent');
    }
    if (opts.format.kind === 'bridged-sse' && opts.format.convert && typeof opts.format.convert.adapter.convertStreamEvent !== 'function') {
      throw new TypeError('bridged-sse conversion needs an adapter with convertStreamEvent');
    }
  }

  start(): void {
    const res = this.res;
    if (res.destroyed || res.writableEnded) {
      this.clientGone();
      return;
    }
    res.on('drain', this.onDrain);
    res.on('close', this.onClose);
    this.opts.shutdown?.streams.add(this.onShutdown);
    this.lastProgressAt = performance.now();
    this.arm();
    if (this.opts.shutdown?.fired) {
      this.onShutdown();
      return;
    }
    this.source.stream(this);
  }

  // ---- the source's sink

  data(chunk: Buffer): boolean {
    if (!this.clientOpen) return true; // after [DONE]: the rest of the body is read and ignored
    if (this.res.destroyed) {
      this.clientGone();
      return true;
    }
    this.lastProgressAt = performance.now();
    const framer = this.framer;
    if (framer === undefined) {
      this.writeContent(chunk);
    } else {
      const r = framer.push(chunk, this);
      if (r === FrameResult.Overflow) {
        this.fail('line_too_long');
        return true;
      }
      if (this.clientOpen) this.flush();
    }
    if (this.full) {
      this.paused = true;
      return false;
    }
    return true;
  }

  end(): void {
    if (!this.sourceOpen) return;
    this.sourceOpen = false;
    if (this.clientOpen) {
      if (this.framer?.finish(this) === FrameResult.Overflow) this.fail('line_too_long');
      // A converted stream ends with the provider's last event (message_stop, a finish reason):
      // a body that closed before it was cut short, not complete.
      else if (this.clientOpen && this.convertedState()) this.fail('upstream_reset');
      else this.complete();
    }
    this.settle();
  }

  /** The converter's state of a converted (or converted and bridged) stream. */
  private convertedState(): StreamState | undefined {
    const f = this.format;
    return f.kind === 'converted-sse' ? f.state : f.kind === 'bridged-sse' ? f.convert?.state : undefined;
  }

  error(err: Error): void {
    if (!this.sourceOpen) return;
    this.sourceOpen = false;
    if (this.clientOpen) {
      this.result.error = err;
      this.fail('upstream_reset');
    }
    this.settle();
  }

  // ---- the framer's events

  onEvent(buf: Buffer, start: number, contentEnd: number, end: number, singleLine: boolean): boolean {
    const format = this.format;
    // Fast path: one `data:` line, the shape of nearly every event; its bytes are checked in place.
    if (singleLine && (format.kind === 'openai-sse' || format.kind === 'raw-sse') && buf[start] === 0x64 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61 && buf[start + 4] === 0x3a) {
      const from = buf[start + 5] === 0x20 ? start + 6 : start + 5;
      if (contentEnd - from === 6 && buf.toString('latin1', from, contentEnd) === '[DONE]') return this.upstreamDone(buf, start, end);
      const check = checkJson(buf, from, contentEnd);
      if (check === 0) {
        this.result.droppedEvents++;
        return true;
      }
      return this.forward(buf.subarray(from, contentEnd), check, buf, start, end);
    }
    let data: string | undefined;
    let event: string | undefined;
    if (singleLine && buf[start] === 0x64 && buf[start + 1] === 0x61 && buf[start + 2] === 0x74 && buf[start + 3] === 0x61 && buf[start + 4] === 0x3a) {
      data = buf.toString('utf8', buf[start + 5] === 0x20 ? start + 6 : start + 5, contentEnd);
    } else {
      const fields = parseSseFields(buf.toString('utf8', start, contentEnd));
      data = fields.data;
      event = fields.event;
    }
    if (format.kind === 'converted-sse') return this.convert(format, event, data);
    if (format.kind === 'protocol-sse') return this.native(format, event, data, buf, start, end);
    if (format.kind === 'bridged-sse') return this.bridge(format, event, data);
    if (data === undefined) {
      // Comments (keep-alives) pass. A named event without data would make the OpenAI SDKs
      // JSON.parse an empty string, so it is dropped.
      if (event === undefined) this.keep(buf, start, end);
      else this.result.droppedEvents++;
      return true;
    }
    if (data === '[DONE]') return this.upstreamDone(buf, start, end);
    const payload = Buffer.from(data);
    const check = checkJson(payload, 0, payload.length);
    if (check === 0) {
      this.result.droppedEvents++;
      return true;
    }
    return this.forward(payload, check, buf, start, end);
  }

  /** The upstream's `data: [DONE]`: forwarded (unless a usage chunk must go first), then the end. */
  private upstreamDone(buf: Buffer, start: number, end: number): boolean {
    const format = this.format;
    if (format.kind !== 'openai-sse' || !format.usageChunk) {
      this.keep(buf, start, end);
      this.doneWritten = true;
      // Its blank line was a CRLF cut after the CR: the LF is in a chunk we will not read.
      if (buf[end - 1] === 0x0d) this.keep(LF_BUF, 0, 1);
    }
    this.complete();
    return false;
  }

  /**
   * A well-formed event: only one that carries usage or an error is parsed (usage recorded, the
   * usage-only chunk dropped when the relay asked for it; an upstream error's message sanitised);
   * chat payloads are kept to count the generated text if the stream ends without usage.
   */
  private forward(payload: Buffer, flags: number, buf: Buffer, start: number, end: number): boolean {
    const format = this.format;
    if (flags & JSON_ERROR && this.opts.sanitize) return this.forwardError(payload);
    if (flags & JSON_USAGE) {
      const chunk = JSON.parse(payload.toString('utf8')) as unknown;
      const usage = readUsage(chunk);
      if (usage) {
        this.result.usage = usage;
        if (format.kind === 'openai-sse' && format.dropUsageOnlyChunk && isUsageOnlyChunk(chunk)) return true;
      }
    }
    if (format.kind === 'openai-sse') this.payloads.push(payload);
    this.keep(buf, start, end);
    return true;
  }

  /** An upstream's own error event: passed on with its message sanitised (SPEC 13), as a new event. */
  private forwardError(payload: Buffer): boolean {
    const event = JSON.parse(payload.toString('utf8')) as { error: unknown };
    const e = event.error;
    if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
      (e as { message: string }).message = this.opts.sanitize?.((e as { message: string }).message) ?? '';
    } else if (typeof e === 'string') {
      event.error = this.opts.sanitize?.(e) ?? '';
    }
    this.flushRun();
    this.writeContent(Buffer.from(`data: ${JSON.stringify(event)}\n\n`));
    return true;
  }

  /** The generated text of the chat payloads relayed so far (only needed when the upstream sent no usage). */
  private countText(): void {
    if (this.format.kind === 'protocol-sse') {
      const pending = this.format.reader.pendingText;
      if (pending !== undefined) this.result.text = this.result.pendingText = pending;
      return;
    }
    // Ended before the provider's final usage: bill what it reported and the text delivered since.
    const state = this.convertedState();
    if (state && !state.usage && state.reportedUsage) {
      this.result.usage = state.reportedUsage;
      this.result.pendingText = this.result.text;
    }
    // The bridge counts delivered text only for a stream that ended before its usage came.
    if (this.format.kind === 'bridged-sse' && this.result.usage !== undefined) this.result.text = '';
    if (this.format.kind !== 'openai-sse' || this.result.usage !== undefined || this.payloads.length === 0) return;
    let text = '';
    for (const p of this.payloads) text += chunkText(JSON.parse(p.toString('utf8')));
    this.result.text = text;
    this.payloads = [];
  }

  private convert(format: ConvertedSseFormat, event: string | undefined, data: string | undefined): boolean {
    if (data === undefined) return true;
    const convertEvent = format.adapter.convertStreamEvent;
    if (convertEvent === undefined) return false; // checked at construction
    let conv: StreamConversion;
    try {
      conv = convertEvent.call(format.adapter, { event, data }, format.state);
    } catch {
      // A converter that cannot read an event must not stall the stream: the event is dropped.
      this.result.droppedEvents++;
      return true;
    }
    if (conv.chunks.length === 0 && !isJson(data)) this.result.droppedEvents++;
    for (const c of conv.chunks) {
      if (!format.includeUsage && isUsageOnlyChunk(c)) continue;
      const text = chunkText(c);
      if (text !== '') this.result.text += text;
      this.batch += `data: ${JSON.stringify(c)}\n\n`;
    }
    if (format.state.usage) this.result.usage = format.state.usage;
    if (conv.done) {
      this.complete();
      return false;
    }
    return true;
  }

  /** A native protocol event: forwarded as it came (an error's message sanitised), read for usage and the end. */
  private native(format: ProtocolSseFormat, event: string | undefined, data: string | undefined, buf: Buffer, start: number, end: number): boolean {
    if (data === undefined) {
      if (event === undefined) this.keep(buf, start, end);
      else this.result.droppedEvents++;
      return true;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.result.droppedEvents++;
      return true;
    }
    let done: boolean;
    try {
      done = format.reader.event(event, parsed);
    } catch {
      this.result.droppedEvents++;
      return true;
    }
    if (format.reader.usage) this.result.usage = format.reader.usage;
    const e = format.reader.errorOf?.(parsed) ?? (typeof parsed === 'object' && parsed !== null ? (parsed as { error?: unknown }).error : undefined);
    if (this.opts.sanitize && typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
      (e as { message: string }).message = this.opts.sanitize((e as { message: string }).message);
      this.flushRun();
      this.writeContent(Buffer.from(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(parsed)}\n\n`));
    } else {
      this.keep(buf, start, end);
    }
    if (done) {
      this.complete();
      return false;
    }
    return true;
  }

  /** Chat chunks (converted first when the upstream is not OpenAI-wire) → the client protocol's events. */
  private bridge(format: BridgedSseFormat, event: string | undefined, data: string | undefined): boolean {
    if (data === undefined) return true;
    let chunks: Record<string, unknown>[];
    let done = false;
    if (format.convert) {
      const { adapter, state } = format.convert;
      try {
        const conv = (adapter.convertStreamEvent as NonNullable<ProviderAdapter['convertStreamEvent']>).call(adapter, { event, data }, state);
        chunks = conv.chunks;
        done = conv.done;
      } catch {
        this.result.droppedEvents++;
        return true;
      }
      if (chunks.length === 0 && !done && !isJson(data)) this.result.droppedEvents++;
      if (state.usage) this.result.usage = state.usage;
    } else {
      if (data === '[DONE]') {
        this.complete();
        return false;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        this.result.droppedEvents++;
        return true;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        this.result.droppedEvents++;
        return true;
      }
      chunks = [parsed as Record<string, unknown>];
    }
    for (const c of chunks) {
      const err = c.error;
      if (err !== undefined && err !== null) {
        // The upstream's own error event ends the stream in the protocol's words, sanitised.
        const e = typeof err === 'object' ? (err as { message?: unknown; code?: unknown; type?: unknown }) : { message: err };
        const message = typeof e.message === 'string' ? e.message : 'the upstream reported an error';
        const code = typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : 'upstream_error';
        this.batch += format.translator.error(code, this.opts.sanitize ? this.opts.sanitize(message) : message);
        this.translatorEnded = true;
        this.complete();
        return false;
      }
      const usage = readUsage(c);
      if (usage) this.result.usage = usage;
      const text = chunkText(c);
      if (text !== '') this.result.text += text;
      this.batch += format.translator.chunk(c);
    }
    if (done) {
      this.complete();
      return false;
    }
    return true;
  }

  // ---- writing

  /** Queues `buf[start, end)` to forward, extending the current run when contiguous. */
  private keep(buf: Buffer, start: number, end: number): void {
    if (this.runBuf === buf && this.runEnd === start) {
      this.runEnd = end;
      return;
    }
    this.flushRun();
    this.runBuf = buf;
    this.runStart = start;
    this.runEnd = end;
  }

  private flushRun(): void {
    const buf = this.runBuf;
    if (buf === undefined) return;
    this.runBuf = undefined;
    this.writeContent(this.runStart === 0 && this.runEnd === buf.length ? buf : buf.subarray(this.runStart, this.runEnd));
  }

  /** Writes what the current upstream chunk produced. */
  private flush(): void {
    this.flushRun();
    if (this.batch !== '') {
      const b = Buffer.from(this.batch);
      this.batch = '';
      this.writeContent(b);
    }
  }

  private writeContent(b: Buffer): void {
    if (this.result.firstByteAt === 0) {
      this.result.firstByteAt = performance.now();
      this.opts.onFirstByte?.();
    }
    this.write(b);
  }

  /**
   * Queues bytes for the end of the tick: the events one upstream read produced leave as one
   * `res.write` (one chunk frame, one syscall) instead of one per event. A response that would be
   * full with them gets them at once, so its write() still decides backpressure.
   */
  private write(b: Buffer): void {
    this.result.bytes += b.length;
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (!this.queued) {
      this.queued = true;
      process.nextTick(this.endOfTick);
    }
    if (this.res.writableLength + this.pendingBytes >= this.res.writableHighWaterMark) this.handOver();
  }

  /** Gives the response what this tick queued. */
  private handOver(): void {
    if (this.pending.length === 0) return;
    const b = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.res.destroyed || this.res.writableEnded) return;
    if (!this.res.write(b) && !this.full) {
      this.full = true;
      this.lastQueued = this.res.writableLength;
    }
  }

  private readonly endOfTick = (): void => {
    this.queued = false;
    if (this.clientOpen) this.handOver();
  };

  // ---- endings

  /** The stream finished normally: the rest of the output, `[DONE]`, end. */
  private complete(): void {
    if (!this.clientOpen) return;
    this.flush();
    const format = this.format;
    if (format.kind === 'openai-sse' && format.usageChunk) {
      this.countText();
      let extra: object | undefined;
      try {
        extra = format.usageChunk(this.result);
      } catch {
        extra = undefined; // the stream still ends properly; settlement counts without it
      }
      if (extra) this.writeContent(Buffer.from(`data: ${JSON.stringify(extra)}\n\n`));
    }
    if (format.kind === 'bridged-sse' && !this.translatorEnded) this.writeContent(Buffer.from(format.translator.end()));
    if ((format.kind === 'openai-sse' || format.kind === 'converted-sse') && !this.doneWritten) this.write(DONE);
    this.closeClient('complete');
    if (this.sourceOpen) {
      // Read the rest of the body (normally nothing) so the upstream connection is reused, briefly.
      this.deadline = Math.min(this.deadline, performance.now() + SOURCE_DRAIN_MS);
      this.rearm();
    }
    this.settle();
  }

  /** An abnormal end: stop the source, tell the client, end the response. */
  private fail(reason: Exclude<StreamEndReason, 'complete' | 'client_gone'>): void {
    if (!this.clientOpen) return;
    this.abortSource(reason);
    if (this.format.kind === 'binary') {
      // What this tick wrote still leaves (a chunked write corks the socket until the next tick), then the cut.
      this.handOver();
      this.res.uncork();
      this.closeClient(reason, false);
      this.res.destroy();
    } else if (this.format.kind === 'protocol-sse' || this.format.kind === 'bridged-sse') {
      this.flush();
      const dialect = this.format.kind === 'protocol-sse' ? this.format.reader : this.format.translator;
      this.write(Buffer.from(dialect.error(reason, streamEndMessage(reason, this.opts.requestId))));
      this.closeClient(reason);
    } else {
      this.flush();
      this.write(Buffer.from(sseErrorEvent(reason, this.opts.requestId)));
      this.write(DONE);
      this.closeClient(reason);
    }
    this.settle();
  }

  private clientGone(): void {
    if (!this.clientOpen) return;
    this.closeClient('client_gone', false);
    this.abortSource('client_gone');
    this.settle();
  }

  private closeClient(reason: StreamEndReason, end = true): void {
    if (end) this.handOver();
    else {
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.clientOpen = false;
    this.result.reason = reason;
    this.runBuf = undefined;
    this.batch = '';
    const res = this.res;
    res.off('drain', this.onDrain);
    res.off('close', this.onClose);
    if (!end || res.destroyed) return;
    res.end();
    if (res.writableLength > 0) watchEndGrace(res, this.opts.endGraceMs ?? DEFAULT_END_GRACE_MS);
  }

  private abortSource(reason: StreamEndReason): void {
    if (!this.sourceOpen) return;
    this.sourceOpen = false;
    this.source.abort(Object.assign(new Error(`stream ended: ${reason}`), { code: `RELAY_STREAM_${reason.toUpperCase()}` }));
  }

  /** Resolves once the client and the source are both done. */
  private settle(): void {
    if (this.resolved || this.clientOpen || this.sourceOpen) return;
    this.resolved = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.opts.shutdown?.streams.delete(this.onShutdown);
    this.countText();
    this.resolveRun(this.result);
  }

  /** Ends the stream for a timer or shutdown: abnormally if the client is still being served. */
  private stop(reason: 'idle_timeout' | 'total_timeout' | 'shutdown'): void {
    if (this.clientOpen) this.fail(reason);
    else this.abortSource(reason);
    this.settle();
  }

  // ---- events

  private readonly onDrain = (): void => {
    this.full = false;
    this.lastProgressAt = performance.now();
    if (this.paused && this.sourceOpen) {
      this.paused = false;
      this.source.resume();
    }
  };

  private readonly onClose = (): void => this.clientGone();

  private readonly onShutdown = (): void => this.stop('shutdown');

  // ---- one timer for idle and total time, re-armed only when it fires

  private arm(): void {
    let due = this.deadline;
    if (this.idleMs > 0 && this.clientOpen) due = Math.min(due, this.lastProgressAt + this.idleMs);
    if (due === Infinity) return;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(due - performance.now())));
  }

  private rearm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.arm();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.resolved) return;
    const now = performance.now();
    if (now >= this.deadline) return this.stop('total_timeout');
    if (this.idleMs > 0 && this.clientOpen) {
      if (this.full) {
        // A slow client that reads at all is not idle.
        const queued = this.res.writableLength;
        if (queued < this.lastQueued) this.lastProgressAt = now;
        this.lastQueued = queued;
      }
      if (now - this.lastProgressAt >= this.idleMs) return this.stop('idle_timeout');
    }
    this.arm();
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A response ended with bytes still queued (a client that stopped reading): destroy its socket
 * if nothing drains for `graceMs`, so a stalled client cannot hold it forever.
 */
function watchEndGrace(res: ServerResponse, graceMs: number): void {
  let queued = res.writableLength;
  const check = () => {
    const now = res.writableLength;
    if (now > 0 && now >= queued) return done(true);
    queued = now;
    timer = setTimeout(check, graceMs);
    timer.unref();
  };
  let timer = setTimeout(check, graceMs);
  timer.unref();
  const done = (destroy: boolean) => {
    clearTimeout(timer);
    res.off('finish', onEnd);
    res.off('close', onEnd);
    if (destroy) res.destroy();
  };
  const onEnd = () => done(false);
  res.on('finish', onEnd);
  res.on('close', onEnd);
}
