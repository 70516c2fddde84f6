import { Agent, type Dispatcher } from 'undici';
import type { TransportContext, UpstreamReplyHandler, UpstreamRequestToAuthorize } from '../adapter.types';
import { createProxyAgent, ProxyAgents, type AgentSettings } from './proxy';

/** One upstream HTTP request, ready to send. */
export interface UpstreamRequest {
  url: string;
  method: 'POST' | 'GET' | 'DELETE';
  headers: Record<string, string>;
  body?: Buffer | string;
  /** The channel's own outbound proxy URL (its `config.proxy`); it wins over the client's default. */
  proxy?: string;
  /** Sends the request instead of HTTP (an adapter's own transport), through the dispatcher HTTP would take. */
  transport?: (request: UpstreamRequestToAuthorize, handler: UpstreamReplyHandler, ctx: TransportContext) => void;
}

/** Where streamed body chunks go once the caller takes the body over (see `UpstreamCall.stream`). */
export interface UpstreamSink {
  /** One body chunk; return false to pause the upstream until `resume()` is called. */
  data(chunk: Buffer): boolean;
  /** The body ended normally. */
  end(): void;
  /** The body failed (idle timeout, reset, abort, size cap). */
  error(err: Error): void;
}

/**
 * What a stream engine needs from an upstream body: hand it to a sink, let it flow again after
 * the sink said "pause" (any number of times), stop it, and tell whether it is paused.
 */
export interface UpstreamSource {
  stream(sink: UpstreamSink): void;
  resume(): void;
  abort(reason?: Error): void;
  readonly paused: boolean;
}

/** Timeouts of an `UpstreamClient`, in ms; 0 turns one off. */
export interface UpstreamClientOptions {
  /** TCP (and TLS) connect. */
  connectTimeoutMs: number;
  /** From the request sent to the response head. */
  firstByteTimeoutMs: number;
  /**
   * Between two body chunks while the body flows. Also undici's `bodyTimeout`, a safety net: it
   * does not count time the caller holds the body paused, so a stream engine that must also end
   * a stream whose client stopped reading runs its own timer (undici's fires with code
   * `UND_ERR_BODY_TIMEOUT`).
   */
  idleTimeoutMs: number;
  /** The whole exchange. Not applied by the client: the caller aborts with it (`UpstreamCall.abort`). */
  totalTimeoutMs: number;
  /** Outbound proxy for every request without one of its own (RELAY_PROXY): http(s):// CONNECT or socks5://. */
  proxy?: string;
}

/** `collect(limit)` refused a body larger than `limit` bytes (the exchange was aborted). */
export class UpstreamBodyTooLargeError extends Error {
  readonly code = 'UPSTREAM_BODY_TOO_LARGE';
  constructor(readonly limitBytes: number) {
    super(`the upstream reply is larger than ${limitBytes} bytes`);
    this.name = 'UpstreamBodyTooLargeError';
  }
}

/**
 * One upstream exchange driven through undici's `dispatch` with a lean handler: the response
 * head resolves `started`, the body is either gathered into one Buffer (`collect`) or pushed
 * to a sink chunk by chunk (`stream`) with pause/resume for backpressure. Compared with
 * `undici.request()` this skips the per-request Readable body, the AbortSignal plumbing and an
 * async iterator per chunk, which the relay's CPU profile showed as its largest own cost.
 *
 * `resume()` must not be called from inside a sink callback of another exchange (undici's
 * parser is not re-entrant); the natural place is the client socket's 'drain' event.
 */
export class UpstreamCall implements Dispatcher.DispatchHandler, UpstreamSource {
  statusCode = 0;
  /** Response headers, lower-cased names (repeated headers joined with ", "). */
  readonly headers: Record<string, string> = {};
  readonly started: Promise<void>;
  private startResolve!: () => void;
  private startReject!: (err: Error) => void;
  private abortFn: ((reason?: Error) => void) | null = null;
  private abortReason: Error | null = null;
  /** undici's parser resume; callable any number of times (a no-op unless the parser is paused). */
  private resumeFn: (() => void) | null = null;
  private isPaused = false;
  private chunks: Buffer[] = [];
  private size = 0;
  /** `collect()`'s cap; Infinity when uncapped. */
  private limit = Infinity;
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

  /** True while the body is held back: the sink (or nobody yet) asked for a pause. */
  get paused(): boolean {
    return this.isPaused;
  }

  /** Aborts the exchange (client gone, total timeout); `started`/the body fail with `reason`. */
  abort(reason?: Error): void {
    if (this.ended || this.failure) return;
    const err = reason ?? Object.assign(new Error('upstream request aborted'), { code: 'UND_ERR_ABORTED' });
    this.abortReason = err;
    if (this.abortFn) this.abortFn(err);
    else this.onError(err);
  }

  /**
   * Gathers the whole body into one Buffer. With `limitBytes`, a longer body aborts the
   * exchange and rejects with `UpstreamBodyTooLargeError` instead of growing without bound.
   */
  collect(limitBytes?: number): Promise<Buffer> {
    if (limitBytes !== undefined && limitBytes >= 0) this.limit = limitBytes;
    if (this.size > this.limit) this.abort(new UpstreamBodyTooLargeError(this.limit));
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
    else this.isPaused = true;
  }

  /** Lets a paused body flow again; harmless when it is not paused. */
  resume(): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    this.resumeFn?.();
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
      this.isPaused = true;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > this.limit) {
      // Destroys the socket: undici stops parsing and calls onError with this reason.
      this.abort(new UpstreamBodyTooLargeError(this.limit));
      return false;
    }
    if (this.collector) return true;
    // Nobody reads yet (between the head and collect()/stream()): keep this chunk, then pause.
    this.isPaused = true;
    return false;
  }

  onComplete(): void {
    this.ended = true;
    this.isPaused = false;
    if (this.sink) this.sink.end();
    else if (this.collector) this.collector.resolve(this.take());
  }

  onError(err: Error): void {
    if (this.failure || this.ended) return;
    this.failure = this.abortReason ?? err;
    this.isPaused = false;
    this.chunks = [];
    this.size = 0;
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
 * The single HTTP client for upstream calls: one undici Agent (a keep-alive pool per upstream
 * origin) with the connect, first-byte (headers) and idle (body) timeouts. The total timeout is
 * applied per request by the caller through `UpstreamCall.abort()`.
 *
 * With a default proxy (RELAY_PROXY) that Agent is a ProxyAgent; a request naming its own proxy
 * (a channel's `config.proxy`) goes through a ProxyAgent kept per proxy URL. Requests without one
 * take the shared agent, as before.
 */
export class UpstreamClient {
  private readonly agent: Dispatcher;
  private readonly proxies: ProxyAgents;
  readonly totalTimeoutMs: number;
  readonly idleTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly firstByteTimeoutMs: number;
  private readonly origins = new Map<string, { origin: string; path: string }>();

  /** Throws when `opts.proxy` is not a usable proxy URL. */
  constructor(opts: UpstreamClientOptions) {
    const settings: AgentSettings = {
      connect: { timeout: opts.connectTimeoutMs },
      headersTimeout: opts.firstByteTimeoutMs,
      bodyTimeout: opts.idleTimeoutMs,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      pipelining: 1,
    };
    this.agent = opts.proxy ? createProxyAgent(opts.proxy, settings) : new Agent(settings);
    this.proxies = new ProxyAgents(settings);
    this.totalTimeoutMs = opts.totalTimeoutMs;
    this.idleTimeoutMs = opts.idleTimeoutMs;
    this.connectTimeoutMs = opts.connectTimeoutMs;
    this.firstByteTimeoutMs = opts.firstByteTimeoutMs;
  }

  /** Starts an exchange; await `call.started` for the response head. */
  send(req: UpstreamRequest): UpstreamCall {
    const call = new UpstreamCall();
    let dispatcher = this.agent;
    if (req.proxy) {
      try {
        dispatcher = this.proxies.get(req.proxy);
      } catch (error) {
        // A bad stored proxy fails this exchange like an unreachable upstream (the next channel is tried).
        call.onError(Object.assign(error as Error, { code: 'UPSTREAM_PROXY_INVALID' }));
        return call;
      }
    }
    if (req.transport) {
      const { url, headers, body = '' } = req;
      try {
        req.transport({ url, method: 'POST', headers, body }, call, { dispatcher, connectTimeoutMs: this.connectTimeoutMs, firstByteTimeoutMs: this.firstByteTimeoutMs, idleTimeoutMs: this.idleTimeoutMs });
      } catch (error) {
        call.onError(error as Error);
      }
      return call;
    }
    const { origin, path } = this.split(req.url);
    dispatcher.dispatch({ origin, path, method: req.method, headers: req.headers, body: req.body }, call);
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

  /** Waits for requests in flight, then closes every connection. */
  async close(): Promise<void> {
    await Promise.all([this.agent.close(), this.proxies.close()]);
  }

  /** Closes every connection now, failing requests in flight. */
  async destroy(): Promise<void> {
    await Promise.all([this.agent.destroy(), this.proxies.destroy()]);
  }
}
