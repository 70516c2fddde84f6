import { StringDecoder } from 'node:string_decoder';
import type { ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';
import { usageFromStreamData, type ProviderAdapter, type StreamState, type Usage } from '@oneapi/providers';
import type { UpstreamCall } from '../upstream/upstream-client';

/** What a relayed stream produced, for billing. */
export interface StreamOutcome {
  usage: Usage | undefined;
  /** `data:` payloads forwarded (JSON text), kept to count tokens when the upstream sent no usage. */
  payloads: string[];
  /** Bytes written to the client. */
  bytes: number;
  /** The upstream ended normally (as opposed to a client abort or an upstream failure). */
  complete: boolean;
  /** performance.now() of the first byte written to the client, 0 if none. */
  firstByteAt: number;
}

/** A usage-only chunk: `{"choices":[], "usage": {...}}` (sent when include_usage was requested). */
function isUsageOnly(data: string): boolean {
  return data.includes('"usage"') && /"choices"\s*:\s*\[\s*\]/.test(data);
}

/**
 * Writes to the client for one relayed stream: the writes of one upstream socket read (undici
 * delivers each HTTP chunk as its own callback, all in one tick) are corked and leave in one
 * `writev` at the end of the tick; a full client socket pauses the upstream until 'drain'.
 */
class ClientWriter {
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.raw.uncork();
  };

  constructor(private readonly raw: ServerResponse) {}

  /** Returns false when the client socket is full (the caller pauses the upstream). */
  write(data: string): boolean {
    if (!this.corked) {
      this.corked = true;
      this.raw.cork();
      process.nextTick(this.uncork);
    }
    return this.raw.write(data);
  }
}

/**
 * Drives a streamed upstream body through a synchronous chunk processor: resolves when the
 * body ends (after `finish`), rejects when it fails or the exchange is aborted. Backpressure:
 * when `push` returns false the upstream is paused until the client socket drains.
 */
function pump(call: UpstreamCall, raw: ServerResponse, push: (chunk: Buffer) => boolean, finish: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => call.resume();
    raw.on('drain', onDrain);
    const done = (error?: Error) => {
      raw.off('drain', onDrain);
      if (error) reject(error);
      else resolve();
    };
    call.stream({
      data: (chunk) => (raw.destroyed ? true : push(chunk)),
      end: () => {
        try {
          finish();
          done();
        } catch (error) {
          done(error as Error);
        }
      },
      error: (error) => done(error),
    });
  });
}

/**
 * Relays an OpenAI-format SSE body chunk by chunk. Each upstream chunk is split on event
 * boundaries; complete events go out in one write as soon as they arrive (no buffering beyond an
 * incomplete trailing event; lines of any length work). The usage-only chunk is dropped when the
 * relay, not the client, asked for it; `data: [DONE]` is added if the upstream omitted it.
 */
export async function relayOpenAIStream(
  call: UpstreamCall,
  raw: ServerResponse,
  opts: {
    dropUsageChunk: boolean;
    onFirstByte?: () => void;
    collect?: StreamOutcome;
    /**
     * The client asked for `include_usage` but the upstream cannot send it (it rejects
     * `stream_options`): `[DONE]` is held back and this usage chunk (counted locally) goes first.
     */
    usageChunk?: (out: StreamOutcome) => string | undefined;
  },
): Promise<StreamOutcome> {
  // `collect` lets the caller read what was relayed so far when the stream throws midway.
  const out: StreamOutcome = opts.collect ?? { usage: undefined, payloads: [], bytes: 0, complete: false, firstByteAt: 0 };
  const decoder = new StringDecoder('utf8');
  const writer = new ClientWriter(raw);
  let pending = '';
  let sawDone = false;

  const handle = (text: string): boolean => {
    let buf = pending === '' ? text : pending + text;
    if (buf.includes('\r')) buf = buf.replace(/\r\n?/g, '\n');
    const end = buf.lastIndexOf('\n\n');
    if (end === -1) {
      pending = buf;
      return true;
    }
    pending = end + 2 === buf.length ? '' : buf.slice(end + 2);
    const complete = end + 2 === buf.length ? buf : buf.slice(0, end + 2);
    let output = complete;
    let dropped = false;
    const kept: string[] = [];
    let from = 0;
    while (from < complete.length) {
      let to = complete.indexOf('\n\n', from);
      if (to === -1) to = complete.length;
      const event = complete.slice(from, to);
      from = to + 2;
      if (event === '') continue;
      const dataAt = event.startsWith('data:') ? 0 : event.indexOf('\ndata:') + 1;
      if (dataAt === 0 && !event.startsWith('data:')) {
        kept.push(event);
        continue;
      }
      const data = event.slice(dataAt + 5).trimStart();
      if (data === '[DONE]') {
        sawDone = true;
        if (opts.usageChunk) dropped = true;
        else kept.push(event);
        continue;
      }
      // Only chunks that mention usage can carry it (most content chunks do not).
      const usage = data.includes('"usage"') ? usageFromStreamData(data) : undefined;
      if (usage) out.usage = usage;
      if (usage && opts.dropUsageChunk && isUsageOnly(data)) {
        dropped = true;
        continue;
      }
      out.payloads.push(data);
      kept.push(event);
    }
    if (dropped) output = kept.length ? `${kept.join('\n\n')}\n\n` : '';
    if (output === '') return true;
    if (out.firstByteAt === 0) {
      out.firstByteAt = performance.now();
      opts.onFirstByte?.();
    }
    out.bytes += output.length;
    return writer.write(output);
  };

  await pump(
    call,
    raw,
    (chunk) => handle(decoder.write(chunk)),
    () => {
      const rest = decoder.end();
      if (rest) handle(rest);
      if (pending.trim() !== '') handle('\n\n');
      if (!raw.destroyed) {
        const usage = opts.usageChunk?.(out);
        if (usage) writer.write(`data: ${usage}\n\n`);
        if (!sawDone || opts.usageChunk) writer.write('data: [DONE]\n\n');
        out.complete = true;
      }
    },
  );
  return out;
}

/** Relays a non-OpenAI SSE stream through the adapter's pure event converter. */
export async function relayConvertedStream(
  call: UpstreamCall,
  raw: ServerResponse,
  adapter: ProviderAdapter,
  state: StreamState,
  opts: { includeUsage: boolean; onFirstByte?: () => void; collect?: StreamOutcome },
): Promise<StreamOutcome> {
  const out: StreamOutcome = opts.collect ?? { usage: undefined, payloads: [], bytes: 0, complete: false, firstByteAt: 0 };
  let done = false;
  let batch = '';
  const writer = new ClientWriter(raw);
  const parser = createParser({
    onEvent: (event) => {
      if (done) return;
      const conv = adapter.convertStreamEvent!({ event: event.event, data: event.data }, state);
      for (const chunk of conv.chunks) {
        const isUsageChunk = Array.isArray(chunk.choices) && (chunk.choices as unknown[]).length === 0 && chunk.usage !== undefined;
        if (isUsageChunk && !opts.includeUsage) continue;
        const data = JSON.stringify(chunk);
        out.payloads.push(data);
        batch += `data: ${data}\n\n`;
      }
      if (conv.done) done = true;
    },
  });
  const decoder = new StringDecoder('utf8');
  let flowing = true;
  await pump(
    call,
    raw,
    (chunk) => {
      // Events after the converter's end are ignored (the upstream may keep the body open).
      if (done) return flowing;
      parser.feed(decoder.write(chunk));
      out.usage = state.usage;
      if (batch) {
        if (out.firstByteAt === 0) {
          out.firstByteAt = performance.now();
          opts.onFirstByte?.();
        }
        out.bytes += batch.length;
        flowing = writer.write(batch);
        batch = '';
      }
      if (done) {
        // The converter saw the end: stop reading the upstream (it is released by the caller).
        call.abort(Object.assign(new Error('converted stream complete'), { code: 'RELAY_STREAM_DONE' }));
      }
      return flowing;
    },
    () => undefined,
  ).catch((error: Error & { code?: string }) => {
    if (error.code !== 'RELAY_STREAM_DONE') throw error;
  });
  out.usage = state.usage;
  if (!raw.destroyed) {
    writer.write('data: [DONE]\n\n');
    out.complete = true;
  }
  return out;
}
