import fc from 'fast-check';
import { FrameResult, SseFramer, type SseEventHandler } from './sse-framer';
import { parseSseFields } from './sse-fields';

interface Seen {
  content: string;
  raw: string;
  single: boolean;
}

function collector(): { seen: Seen[]; handler: SseEventHandler } {
  const seen: Seen[] = [];
  return {
    seen,
    handler: {
      onEvent(buf, start, contentEnd, end, single) {
        seen.push({ content: buf.toString('utf8', start, contentEnd), raw: buf.toString('utf8', start, end), single });
        return true;
      },
    },
  };
}

/** Frames `input` split at the given byte offsets, then finishes. */
function frame(input: Buffer, cuts: number[] = [], max = 1 << 20): { seen: Seen[]; results: FrameResult[] } {
  const framer = new SseFramer(max);
  const { seen, handler } = collector();
  const results: FrameResult[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    results.push(framer.push(input.subarray(from, cut), handler));
    from = cut;
  }
  results.push(framer.push(input.subarray(from), handler));
  results.push(framer.finish(handler));
  return { seen, results };
}

describe('SseFramer', () => {
  it('splits LF events and marks one-line events', () => {
    const { seen } = frame(Buffer.from('data: {"a":1}\n\n: keep-alive\n\nevent: x\ndata: 2\n\n'));
    expect(seen).toEqual([
      { content: 'data: {"a":1}', raw: 'data: {"a":1}\n\n', single: true },
      { content: ': keep-alive', raw: ': keep-alive\n\n', single: true },
      { content: 'event: x\ndata: 2', raw: 'event: x\ndata: 2\n\n', single: false },
    ]);
  });

  it('handles CRLF and CR terminators, also split between the CR and the LF', () => {
    const input = Buffer.from('data: 1\r\n\r\ndata: 2\r\rdata: 3\r\n\r\ndata: 4\n\n');
    const expected = ['data: 1', 'data: 2', 'data: 3', 'data: 4'];
    for (let cut = 0; cut <= input.length; cut++) {
      const { seen } = frame(input, [cut]);
      expect(seen.map((s) => parseSseFields(s.content).data)).toEqual(['1', '2', '3', '4']);
      // Forwarding the events gives back the input byte for byte.
      expect(seen.map((s) => s.raw).join('')).toBe(input.toString());
    }
    expect(frame(input).seen.map((s) => s.content)).toEqual(expected);
    // Split between the CR and the LF of a blank line: the LF travels with the next event.
    expect(frame(input, [10]).seen[1].raw).toBe('\ndata: 2\r\r');
  });

  it('keeps UTF-8 characters split across chunks intact', () => {
    const input = Buffer.from('data: {"c":"héllo 世界 🎉"}\n\n');
    for (let cut = 1; cut < input.length; cut++) {
      expect(frame(input, [cut]).seen[0].content).toBe('data: {"c":"héllo 世界 🎉"}');
    }
  });

  it('ignores stray blank lines and a leading byte order mark', () => {
    const { seen } = frame(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\n\ndata: 1\n\n\n\n\r\n')]));
    expect(seen.map((s) => s.content)).toEqual(['data: 1']);
  });

  it('hands over an unterminated last event at finish, terminated', () => {
    const { seen } = frame(Buffer.from('data: 1\n\ndata: 2\n'));
    expect(seen).toEqual([
      { content: 'data: 1', raw: 'data: 1\n\n', single: true },
      { content: 'data: 2', raw: 'data: 2\n\n', single: true },
    ]);
  });

  it('overflows on a pending event above the cap, and on a complete one', () => {
    const framer = new SseFramer(100);
    const { handler } = collector();
    expect(framer.push(Buffer.from(`data: ${'a'.repeat(60)}`), handler)).toBe(FrameResult.Ok);
    expect(framer.push(Buffer.from('a'.repeat(60)), handler)).toBe(FrameResult.Overflow);
    expect(new SseFramer(100).push(Buffer.from(`data: ${'a'.repeat(200)}\n\n`), handler)).toBe(FrameResult.Overflow);
    // Exactly at the cap is fine.
    const exact = `data: ${'a'.repeat(92)}\n\n`;
    expect(exact.length).toBe(100);
    expect(frame(Buffer.from(exact), [], 100).seen).toHaveLength(1);
  });

  it('stops when the handler says so', () => {
    const framer = new SseFramer(1000);
    const seen: string[] = [];
    const r = framer.push(Buffer.from('data: 1\n\ndata: [DONE]\n\ndata: 3\n\n'), {
      onEvent(buf, start, contentEnd) {
        seen.push(buf.toString('utf8', start, contentEnd));
        return !(seen.at(-1) ?? '').includes('DONE');
      },
    });
    expect(r).toBe(FrameResult.Stopped);
    expect(seen).toEqual(['data: 1', 'data: [DONE]']);
  });

  it('frames any chunking of any terminator mix like the whole input', () => {
    const term = fc.constantFrom('\n', '\r\n', '\r');
    const line = fc.tuple(fc.constantFrom('data', 'event', ':', 'id'), fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')));
    const event = fc.tuple(fc.array(fc.tuple(line, term), { minLength: 1, maxLength: 4 }), term);
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (events, rawCuts) => {
        // A line ended by CR and a blank line of LF make one CRLF, not a blank line: not an event end.
        fc.pre(events.every(([lines, blank]) => !(lines[lines.length - 1][1] === '\r' && blank === '\n')));
        const text = events.map(([lines, blank]) => lines.map(([[name, value], t]) => `${name}: ${value}${t}`).join('') + blank).join('');
        const input = Buffer.from(text);
        const cuts = rawCuts.map((c) => c % (input.length + 1));
        const expected = events.map(([lines]) => lines.map(([[name, value]]) => `${name}: ${value}`).join('\n'));
        const { seen } = frame(input, cuts);
        expect(seen.map((s) => s.raw).join('')).toBe(text);
        const got = seen.filter((s) => s.content !== '').map((s) => s.content.replace(/\r\n?/g, '\n'));
        const fields = (xs: string[]) => xs.map((x) => parseSseFields(x));
        expect(fields(got)).toEqual(fields(expected));
      }),
      { numRuns: 500 },
    );
  });
});
