const LF = 0x0a;
const CR = 0x0d;

/** Receives the complete events a {@link SseFramer} finds. */
export interface SseEventHandler {
  /**
   * One complete, non-empty event. `buf[start, end)` is the event exactly as received, its
   * terminating blank line included (what to forward); `buf[start, contentEnd)` is its field
   * lines without the final line terminator (what to parse). `singleLine` is true when the event
   * is one field line, the common `data: {...}`. Return false to stop framing this chunk (the
   * stream is over).
   */
  onEvent(buf: Buffer, start: number, contentEnd: number, end: number, singleLine: boolean): boolean;
}

/** Outcome of framing one chunk. */
export enum FrameResult {
  Ok,
  /** The handler returned false. */
  Stopped,
  /** An event grew beyond the cap (the framer is unusable afterwards). */
  Overflow,
}

/**
 * Splits an SSE byte stream into events at blank lines, whatever the line terminators (LF, CRLF
 * or CR, as the SSE spec allows, also mixed and split across chunks). Only the bytes of each new
 * chunk are scanned, with the native `indexOf`; the bytes of an incomplete event are kept as a
 * list of chunk slices with a running length and joined once, when the event completes. Events
 * are handed over as bytes, so UTF-8 characters split between chunks need no decoder (the blank
 * line that ends an event is ASCII and cannot fall inside a character).
 */
export class SseFramer {
  private parts: Buffer[] = [];
  private pendingBytes = 0;
  /** Line terminators seen so far in the pending event. */
  private lines = 0;
  /** The previous chunk ended right after a line terminator. */
  private atLineStart = true;
  /** The previous chunk ended with CR (an LF first in the next chunk completes that CRLF). */
  private prevCR = false;
  private first = true;

  /** @param maxEventBytes cap on one event held in memory (complete or not). */
  constructor(private readonly maxEventBytes: number) {}

  /** Bytes of the incomplete event held between chunks. */
  get pending(): number {
    return this.pendingBytes;
  }

  /** Frames one chunk, handing each complete event to `handler` in order. */
  push(c: Buffer, handler: SseEventHandler): FrameResult {
    const n = c.length;
    if (n === 0) return FrameResult.Ok;
    let evStart = 0;
    let lineStart = this.atLineStart ? 0 : -1;
    let scanFrom = 0;
    if (this.first) {
      this.first = false;
      // A UTF-8 byte order mark may open the stream (the SSE spec says to skip it).
      if (n >= 3 && c[0] === 0xef && c[1] === 0xbb && c[2] === 0xbf) evStart = lineStart = scanFrom = 3;
    }
    if (this.prevCR && c[0] === LF) {
      // The second half of a CRLF split across chunks: not a terminator of its own. When that
      // CRLF was an event's blank line, the LF opens the next event's bytes (forwarding stays
      // byte for byte; parsers read it as nothing).
      scanFrom = 1;
      if (lineStart === 0) lineStart = 1;
    }
    let lines = this.lines;
    let lf = c.indexOf(LF, scanFrom);
    let cr = c.indexOf(CR, scanFrom);
    while (lf !== -1 || cr !== -1) {
      let p: number;
      let termEnd: number;
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        p = lf;
        termEnd = p + 1;
        lf = c.indexOf(LF, termEnd);
      } else {
        p = cr;
        termEnd = p + 1;
        if (termEnd < n && c[termEnd] === LF) {
          termEnd++;
          lf = c.indexOf(LF, termEnd);
        }
        cr = c.indexOf(CR, termEnd);
      }
      if (p !== lineStart) {
        // The end of a field line.
        lines++;
        lineStart = termEnd;
        continue;
      }
      // A blank line: the event ends here.
      lineStart = termEnd;
      if (p === evStart && this.pendingBytes === 0) {
        // A stray blank line (between events, or several in a row): nothing to dispatch.
        evStart = termEnd;
        lines = 0;
        continue;
      }
      const size = this.pendingBytes + (termEnd - evStart);
      if (size > this.maxEventBytes) return FrameResult.Overflow;
      let buf = c;
      let start = evStart;
      let blank = p;
      let end = termEnd;
      if (this.pendingBytes > 0) {
        this.parts.push(c.subarray(evStart, termEnd));
        buf = Buffer.concat(this.parts, size);
        start = 0;
        blank = size - (termEnd - p);
        end = size;
        this.parts = [];
        this.pendingBytes = 0;
      }
      // Drop the terminator of the last field line (LF, CRLF or CR) from the content.
      let contentEnd = blank;
      if (buf[contentEnd - 1] === LF) {
        contentEnd--;
        if (contentEnd > start && buf[contentEnd - 1] === CR) contentEnd--;
      } else if (buf[contentEnd - 1] === CR) {
        contentEnd--;
      }
      const single = lines === 1;
      lines = 0;
      evStart = termEnd;
      if (!handler.onEvent(buf, start, contentEnd, end, single)) return FrameResult.Stopped;
    }
    if (evStart < n) {
      const rest = evStart === 0 ? c : c.subarray(evStart);
      this.parts.push(rest);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxEventBytes) return FrameResult.Overflow;
    }
    this.lines = lines;
    this.atLineStart = lineStart === n;
    this.prevCR = c[n - 1] === CR;
    return FrameResult.Ok;
  }

  /**
   * The body ended: hands over the incomplete trailing event, if any, as if its blank line had
   * arrived (`buf` then ends in `\n\n`, ready to forward); bare trailing terminators come as an
   * event with empty content.
   */
  finish(handler: SseEventHandler): FrameResult {
    if (this.pendingBytes === 0) return FrameResult.Ok;
    const body = Buffer.concat(this.parts, this.pendingBytes);
    this.parts = [];
    this.pendingBytes = 0;
    let contentEnd = body.length;
    while (contentEnd > 0 && (body[contentEnd - 1] === LF || body[contentEnd - 1] === CR)) contentEnd--;
    // Only terminators left (the LF of a CRLF blank line that ended the body): pass them on as they are.
    if (contentEnd === 0) return handler.onEvent(body, 0, 0, body.length, false) ? FrameResult.Ok : FrameResult.Stopped;
    const buf = Buffer.allocUnsafe(contentEnd + 2);
    body.copy(buf, 0, 0, contentEnd);
    buf[contentEnd] = LF;
    buf[contentEnd + 1] = LF;
    const content = buf.subarray(0, contentEnd);
    const single = content.indexOf(LF) === -1 && content.indexOf(CR) === -1;
    return handler.onEvent(buf, 0, contentEnd, buf.length, single) ? FrameResult.Ok : FrameResult.Stopped;
  }
}
