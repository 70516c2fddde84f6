import { bedrockChunk, bedrockException, encodeEventStreamMessage } from '@oneapi/testing';
import { createBedrockStreamDecoder, EventStreamReader } from './event-stream';

const sseEvents = (buf: Buffer) =>
  buf
    .toString('utf8')
    .split('\n\n')
    .filter(Boolean)
    .map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, unknown>);

describe('AWS event-stream decoding (Bedrock InvokeModelWithResponseStream)', () => {
  it('reads messages split at any byte, with their string headers and payload', () => {
    const a = encodeEventStreamMessage({ ':event-type': 'chunk', ':message-type': 'event' }, '{"x":1}');
    const b = encodeEventStreamMessage({ ':message-type': 'event', ':event-type': 'chunk' }, '{"y":2}');
    const all = Buffer.concat([a, b]);
    for (let cut = 1; cut < all.length; cut++) {
      const reader = new EventStreamReader();
      const got = [...reader.push(all.subarray(0, cut)), ...reader.push(all.subarray(cut))];
      expect(got.map((m) => [m.headers[':event-type'], m.payload.toString()])).toEqual([
        ['chunk', '{"x":1}'],
        ['chunk', '{"y":2}'],
      ]);
      expect(reader.incomplete).toBe(false);
    }
  });

  it('chunk events become the Anthropic events they carry, one SSE data line each', () => {
    const d = createBedrockStreamDecoder();
    const out = d.push(Buffer.concat([bedrockChunk({ type: 'message_start', message: { usage: { input_tokens: 7 } } }), bedrockChunk({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'line\nbreak' } })]));
    expect(sseEvents(out)).toEqual([
      { type: 'message_start', message: { usage: { input_tokens: 7 } } },
      { type: 'content_block_delta', delta: { type: 'text_delta', text: 'line\nbreak' } },
    ]);
    expect(d.end()).toHaveLength(0);
  });

  it('an exception message becomes an Anthropic error event', () => {
    const d = createBedrockStreamDecoder();
    expect(sseEvents(d.push(bedrockException('throttlingException', 'Too many tokens')))).toEqual([{ type: 'error', error: { type: 'throttlingException', message: 'Too many tokens' } }]);
  });

  it('refuses corrupt frames (checksum) and a stream that ends inside a message', () => {
    const frame = bedrockChunk({ type: 'ping' });
    const corrupt = Buffer.from(frame);
    corrupt[corrupt.length - 6] ^= 0xff;
    expect(() => createBedrockStreamDecoder().push(corrupt)).toThrow(/checksum/);
    const d = createBedrockStreamDecoder();
    d.push(frame.subarray(0, frame.length - 3));
    expect(() => d.end()).toThrow(/cut short/);
  });
});
