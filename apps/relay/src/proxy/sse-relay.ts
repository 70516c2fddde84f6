import { StringDecoder } from 'node:string_decoder';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { usageFromStreamData, type ProviderAdapter, type StreamState, type Usage } from '@oneapi/providers';

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

function write(raw: ServerResponse, data: string): Promise<void> | null {
  if (raw.write(data)) return null;
  // Backpressure: stop reading upstream until the client socket drains (or goes away).
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

/** A usage-only chunk: `{"choices":[], "usage": {...}}` (sent when include_usage was requested). */
function isUsageOnly(data: string): boolean {
  return data.includes('"usage"') && /"choices"\s*:\s*\[\s*\]/.test(data);
}

/**
 * Relays an OpenAI-format SSE body chunk by chunk. Each upstream chunk is split on event
 * boundaries; complete events go out in one write as soon as they arrive (no buffering beyond an
 * incomplete trailing event; lines of any length work). The usage-only chunk is dropped when the
 * relay, not the client, asked for it; `data: [DONE]` is added if the upstream omitted it.
 */
export async function relayOpenAIStream(
  body: Readable,
  raw: ServerResponse,
  opts: { dropUsageChunk: boolean; onFirstByte?: () => void; collect?: StreamOutcome },
): Promise<StreamOutcome> {
  // `collect` lets the caller read what was relayed so far when the stream throws midway.
  const out: StreamOutcome = opts.collect ?? { usage: undefined, payloads: [], bytes: 0, complete: false, firstByteAt: 0 };
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let sawDone = false;

  const handle = async (text: string): Promise<void> => {
    let buf = pending + text;
    if (buf.includes('\r')) buf = buf.replace(/\r\n?/g, '\n');
    const end = buf.lastIndexOf('\n\n');
    if (end === -1) {
      pending = buf;
      return;
    }
    pending = buf.slice(end + 2);
    const complete = buf.slice(0, end + 2);
    let output = complete;
    let dropped = false;
    const kept: string[] = [];
    for (const event of complete.split('\n\n')) {
      if (event === '') continue;
      const dataAt = event.startsWith('data:') ? 0 : event.indexOf('\ndata:') + 1;
      if (dataAt === 0 && !event.startsWith('data:')) {
        kept.push(event);
        continue;
      }
      const data = event.slice(dataAt + 5).trimStart();
      if (data === '[DONE]') {
        sawDone = true;
        kept.push(event);
        continue;
      }
      const usage = usageFromStreamData(data);
      if (usage) out.usage = usage;
      if (usage && opts.dropUsageChunk && isUsageOnly(data)) {
        dropped = true;
        continue;
      }
      out.payloads.push(data);
      kept.push(event);
    }
    if (dropped) output = kept.length ? `${kept.join('\n\n')}\n\n` : '';
    if (output === '') return;
    if (out.firstByteAt === 0) {
      out.firstByteAt = performance.now();
      opts.onFirstByte?.();
    }
    out.bytes += output.length;
    const wait = write(raw, output);
    if (wait) await wait;
  };

  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (raw.destroyed) break;
    await handle(decoder.write(chunk));
  }
  const rest = decoder.end();
  if (rest) await handle(rest);
  if (pending.trim() !== '') await handle('\n\n');
  if (!raw.destroyed) {
    if (!sawDone) raw.write('data: [DONE]\n\n');
    out.complete = true;
  }
  return out;
}

/** Relays a non-OpenAI SSE stream through the adapter's pure event converter. */
export async function relayConvertedStream(
  body: Readable,
  raw: ServerResponse,
  adapter: ProviderAdapter,
  state: StreamState,
  opts: { includeUsage: boolean; onFirstByte?: () => void; collect?: StreamOutcome },
): Promise<StreamOutcome> {
  const out: StreamOutcome = opts.collect ?? { usage: undefined, payloads: [], bytes: 0, complete: false, firstByteAt: 0 };
  let done = false;
  let batch = '';
  const parser = createParser({
    onEvent: (event) => {
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
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (raw.destroyed) break;
    parser.feed(decoder.write(chunk));
    out.usage = state.usage;
    if (batch) {
      if (out.firstByteAt === 0) {
        out.firstByteAt = performance.now();
        opts.onFirstByte?.();
      }
      out.bytes += batch.length;
      const wait = write(raw, batch);
      batch = '';
      if (wait) await wait;
    }
    if (done) break;
  }
  out.usage = state.usage;
  if (!raw.destroyed) {
    raw.write('data: [DONE]\n\n');
    out.complete = true;
  }
  return out;
}
