import type { StreamDecoder } from '../adapter.types';
import type { UpstreamSink, UpstreamSource } from './upstream-client';

/**
 * An upstream body re-framed by a `StreamDecoder` (AWS event stream → SSE bytes) before the
 * stream engine reads it. Backpressure passes through unchanged; a decoder error fails the
 * stream like a reset (the upstream is aborted).
 */
export class DecodedSource implements UpstreamSource {
  constructor(
    private readonly inner: UpstreamSource,
    private readonly decoder: StreamDecoder,
  ) {}

  get paused(): boolean {
    return this.inner.paused;
  }

  stream(sink: UpstreamSink): void {
    let failed = false;
    const fail = (error: unknown) => {
      failed = true;
      const err = error instanceof Error ? error : new Error(String(error));
      this.inner.abort(err);
      sink.error(err);
    };
    this.inner.stream({
      data: (chunk) => {
        if (failed) return true;
        let out: Buffer;
        try {
          out = this.decoder.push(chunk);
        } catch (error) {
          fail(error);
          return true;
        }
        return out.length === 0 ? true : sink.data(out);
      },
      end: () => {
        if (failed) return;
        let rest: Buffer;
        try {
          rest = this.decoder.end();
        } catch (error) {
          fail(error);
          return;
        }
        if (rest.length > 0) sink.data(rest);
        sink.end();
      },
      error: (err) => {
        if (!failed) sink.error(err);
      },
    });
  }

  resume(): void {
    this.inner.resume();
  }

  abort(reason?: Error): void {
    this.inner.abort(reason);
  }
}
