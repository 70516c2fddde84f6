import { crc32 } from 'node:zlib';
import type { StreamDecoder } from '../adapter.types';
import type { EventStreamMessage } from './bedrock.types';

/** total length (4) + headers length (4) + prelude CRC (4). */
const PRELUDE = 12;
/** The message CRC after the payload. */
const TRAILER = 4;
/** AWS caps one event-stream message at 16 MiB; a larger length is corrupt data, not a message to wait for. */
const MAX_MESSAGE = 16 * 1024 * 1024;

/** Header value types of the event-stream encoding; only strings are read, others are skipped. */
const HEADER_VALUE_SIZES: Readonly<Record<number, number>> = { 0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16 };

function readHeaders(buf: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let i = 0;
  while (i < buf.length) {
    const nameLen = buf.readUInt8(i);
    const name = buf.toString('utf8', i + 1, i + 1 + nameLen);
    i += 1 + nameLen;
    const type = buf.readUInt8(i);
    i += 1;
    if (type === 6 || type === 7) {
      const len = buf.readUInt16BE(i);
      if (type === 7) headers[name] = buf.toString('utf8', i + 2, i + 2 + len);
      i += 2 + len;
    } else {
      const size = HEADER_VALUE_SIZES[type];
      if (size === undefined) throw new Error(`event stream: unknown header value type ${type}`);
      i += size;
    }
  }
  return headers;
}

/**
 * Splits AWS event-stream bytes (`application/vnd.amazon.eventstream`) into messages, checking
 * both CRCs; bytes of an incomplete message are kept for the next push.
 */
export class EventStreamReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): EventStreamMessage[] {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: EventStreamMessage[] = [];
    while (buf.length >= PRELUDE) {
      const total = buf.readUInt32BE(0);
      const headersLen = buf.readUInt32BE(4);
      if (buf.readUInt32BE(8) !== crc32(buf.subarray(0, 8))) throw new Error('event stream: prelude checksum mismatch');
      if (total < PRELUDE + TRAILER + headersLen || total > MAX_MESSAGE) throw new Error(`event stream: bad message length ${total}`);
      if (buf.length < total) break;
      if (buf.readUInt32BE(total - TRAILER) !== crc32(buf.subarray(0, total - TRAILER))) throw new Error('event stream: message checksum mismatch');
      out.push({ headers: readHeaders(buf.subarray(PRELUDE, PRELUDE + headersLen)), payload: Buffer.from(buf.subarray(PRELUDE + headersLen, total - TRAILER)) });
      buf = buf.subarray(total);
    }
    this.pending = Buffer.from(buf);
    return out;
  }

  /** True when a message was cut short. */
  get incomplete(): boolean {
    return this.pending.length > 0;
  }
}

/** A JSON text as one SSE `data:` line (JSON has raw line breaks only as whitespace). */
function sseData(json: string): string {
  return `data: ${json.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/**
 * One Bedrock InvokeModelWithResponseStream message → the SSE event the Anthropic converter reads:
 * a `chunk` event carries `{"bytes": base64(Anthropic event JSON)}`; an `exception` message
 * (throttling, validation, model errors mid-stream) becomes an Anthropic `error` event.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
export function bedrockMessageToSse(m: EventStreamMessage): string {
  const kind = m.headers[':message-type'];
  if (kind === 'event' && m.headers[':event-type'] === 'chunk') {
    const body = JSON.parse(m.payload.toString('utf8')) as { bytes?: unknown };
    if (typeof body.bytes !== 'string') return '';
    return sseData(Buffer.from(body.bytes, 'base64').toString('utf8'));
  }
  if (kind === 'exception' || kind === 'error') {
    const type = m.headers[':exception-type'] ?? m.headers[':error-code'] ?? 'bedrockException';
    let message = m.headers[':error-message'] ?? '';
    try {
      const body = JSON.parse(m.payload.toString('utf8')) as { message?: unknown; Message?: unknown };
      const text = body.message ?? body.Message;
      if (typeof text === 'string') message = text;
    } catch {
      /* no JSON payload: the header's message (or none) stands */
    }
    return sseData(JSON.stringify({ type: 'error', error: { type, message: message || type } }));
  }
  return '';
}

/** A `StreamDecoder` from Bedrock's event stream to Anthropic SSE events. */
export function createBedrockStreamDecoder(): StreamDecoder {
  const reader = new EventStreamReader();
  return {
    push(chunk) {
      let out = '';
      for (const m of reader.push(chunk)) out += bedrockMessageToSse(m);
      return Buffer.from(out);
    },
    end() {
      if (reader.incomplete) throw new Error('event stream: the last message was cut short');
      return Buffer.alloc(0);
    },
  };
}
