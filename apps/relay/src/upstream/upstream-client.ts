import { Agent, type Dispatcher } from 'undici';
import type { AppConfig } from '@oneapi/config';

export interface UpstreamRequest {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** Where streamed body chunks go once the caller takes the body over (see UpstreamCall.stream). */
export interface UpstreamSink {
  /** One body chunk; return false to pause the upstream until `resume()` is called. */
  data(chunk: Buffer): boolean;
  /** The body ended normally. */
  end(): void;
  /** The body failed (idle timeout, reset, abort). */
  error(err: Error): void;
}

/**
 * One upstream exchange driven through undici's `dispatch` with a lean handler: the response
 * head resolves `started`, the body is either gathered into one Buffer (`collect`) or pushed
 * to a sink chunk by chunk (`stream`) with pause/resume for backpressure. Compared with
 * `undici.request()` this skips the per-request Readable body, the AbortSignal plumbing and an
 * async iterator per chunk, which the relay's CPU profile showed as its largest own cost.
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  statusCode = 0;
  /** Response headers, lower-cased names (repeated headers joined with ", "). */
  readonly headers: Record<string, string> = {};
  readonly started: Promise<void>;
  private startResolve!: () => void;
  private startReject!: (err: Error) => void;
  private abortFn: ((reason?: Error) => void) | null = null;
  private abortReason: Error | null = null;
  private resumeFn: (() => void) | null = null;
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private failure: Error | null = null;
  private sink: UpstreamSink | null = null;
  private collector: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private headed = false;

  constructor() {
    this.started = new Promise<void>((resolve, reject) => {
      this.startResolve = resolve;
      this.startReject = reject;
    });
  }

  /** Aborts the exchange (client gone, total timeout); `started`/the body fail with `reason`. */
  abort(reason?: Error): void {
    if (this.ended || this.failure) return;
    const err = reason ?? Object.assign(new Error('upstream request aborted'), { code: 'UND_ERR_ABORTED' });
    this.abortReason = err;
    if (this.abortFn) this.abortFn(err);
    else this.onError(err);
  }

  /** Gathers the whole body into one Buffer. */
  collect(): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(this.take());
    return new Promise<Buffer>((resolve, reject) => {
      this.collector = { resolve, reject };
      this.resume();
    });
  }

  /** Hands the body to a sink (chunks already received are delivered first). */
  stream(sink: UpstreamSink): void {
    this.sink = sink;
    const early = this.chunks;
    this.chunks = [];
    this.size = 0;
    let flowing = true;
    for (const c of early) flowing = sink.data(c) && flowing;
    if (this.failure) sink.error(this.failure);
    else if (this.ended) sink.end();
    else if (flowing) this.resume();
  }

  /** Lets a paused body flow again. */
  resume(): void {
    const r = this.resumeFn;
    if (r) {
      this.resumeFn = null;
      r();
    }
  }

  // ---- undici DispatchHandler (the classic callbacks, used by undici's core without a wrapper)

  onConnect(abort: (err?: Error) => void): void {
    if (this.abortReason) abort(this.abortReason);
    else this.abortFn = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.statusCode = statusCode;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = rawHeaders[i].toString('latin1').toLowerCase();
      const value = rawHeaders[i + 1].toString('latin1');
      const prev = this.headers[name];
      this.headers[name] = prev === undefined ? value : `${prev}, ${value}`;
    }
    this.headed = true;
    this.resumeFn = resume;
    this.startResolve();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.sink) {
      if (this.sink.data(chunk)) return true;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Nobody reads yet (between the head and collect()/stream()): keep this chunk, then pause.
    return this.collector !== null;
  }

  onComplete(): void {
    this.ended = true;
    if (this.sink) this.sink.end();
    else if (this.collector) this.collector.resolve(this.take());
  }

  onError(err: Error): void {
    if (this.failure || this.ended) return;
    this.failure = this.abortReason ?? err;
    if (!this.headed) this.startReject(this.failure);
    else if (this.sink) this.sink.error(this.failure);
    else if (this.collector) this.collector.reject(this.failure);
  }

  private take(): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    return out;
  }
}

/**
 * The relay's single HTTP client: one undici Agent (a keep-alive pool per upstream origin)
 * with the connect, first-byte (headers) and idle-between-chunks (body) timeouts from config.
 * The total timeout (RELAY_TIMEOUT) is applied per request by the caller through `abort()`.
 */
export class UpstreamClient {
  private readonly agent: Agent;
  readonly totalTimeoutMs: number;
  private readonly origins = new Map<string, { origin: string; path: string }>();

  constructor(env: AppConfig['env']) {
    this.agent = new Agent({
      connect: { timeout: env.RELAY_CONNECT_TIMEOUT * 1000 },
      headersTimeout: env.RELAY_FIRST_BYTE_TIMEOUT * 1000,
      bodyTimeout: env.RELAY_IDLE_TIMEOUT * 1000,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      pipelining: 1,
    });
    this.totalTimeoutMs = env.RELAY_TIMEOUT * 1000;
  }

  /** Starts an exchange; await `call.started` for the response head. */
  send(req: UpstreamRequest): UpstreamCall {
    const call = new UpstreamCall();
    const { origin, path } = this.split(req.url);
    this.agent.dispatch({ origin, path, method: req.method, headers: req.headers, body: req.body }, call);
    return call;
  }

  /** URL → origin + path, memoised (a channel's few URLs repeat on every request). */
  private split(url: string): { origin: string; path: string } {
    let hit = this.origins.get(url);
    if (!hit) {
      const u = new URL(url);
      hit = { origin: u.origin, path: `${u.pathname}${u.search}` };
      if (this.origins.size > 10_000) this.origins.clear();
      this.origins.set(url, hit);
    }
    return hit;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
