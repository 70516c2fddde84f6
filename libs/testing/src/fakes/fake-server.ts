import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseMultipart, type MultipartPart } from './multipart';

/** One request as the fake saw it. */
export interface FakeUpstreamRequest {
  method: string;
  /** Path without the query string, as sent (e.g. `/v1/chat/completions`). */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the multipart fields (`{field: value}`) for multipart requests. */
  body: unknown;
  rawBody: Buffer;
  /** Multipart parts (files included) for multipart requests. */
  parts?: MultipartPart[];
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** Date.now() when the response (or the connection) closed; undefined while open. */
  closedAt?: number;
  /** True when the response was fully written before the close; false = the client went away first (or we reset). */
  completed?: boolean;
  /**
   * Date.now() of each body write of a streamed reply (SSE chunks, streamed speech), in order, so
   * a test can tell whether the client saw a piece before the upstream wrote a later one.
   */
  writeTimes?: number[];
}

export interface UpstreamContext {
  req: IncomingMessage;
  res: ServerResponse;
  record: FakeUpstreamRequest;
  /** Writes JSON with a status. */
  json(status: number, body: unknown, headers?: Record<string, string>): void;
}

export type UpstreamHandler = (ctx: UpstreamContext) => void | Promise<void>;

/** What every fake returns. */
export interface UpstreamServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  /** Every request received, in arrival order. */
  requests: FakeUpstreamRequest[];
  /** Requests whose path (without query) ends with `suffix`. */
  requestsTo(suffix: string): FakeUpstreamRequest[];
  /** Listeners called with each request when its response/connection closes. */
  onClose(listener: (r: FakeUpstreamRequest) => void): void;
  /** Polls `predicate` every 10 ms until true, or throws after `timeoutMs` (default 5 s). */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Stops listening and destroys open connections. */
  close(): Promise<void>;
}

/** Starts a node:http server on 127.0.0.1, port 0, recording every request before `handler` runs. */
export async function startUpstreamServer(handler: UpstreamHandler): Promise<UpstreamServer> {
  const requests: FakeUpstreamRequest[] = [];
  const closeListeners: ((r: FakeUpstreamRequest) => void)[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const rawBody = Buffer.concat(chunks);
      const record: FakeUpstreamRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: undefined,
        rawBody,
        receivedAt: Date.now(),
      };
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.startsWith('multipart/form-data')) {
        record.parts = parseMultipart(rawBody, contentType);
        record.body = Object.fromEntries(record.parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.data.toString('utf8')]));
      } else if (rawBody.length > 0) {
        try {
          record.body = JSON.parse(rawBody.toString('utf8')) as unknown;
        } catch {
          record.body = rawBody.toString('utf8');
        }
      }
      requests.push(record);
      res.on('close', () => {
        record.closedAt = Date.now();
        record.completed = res.writableFinished;
        for (const l of closeListeners) l(record);
      });
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        const buf = Buffer.from(JSON.stringify(body));
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length), ...headers });
        res.end(buf);
      };
      Promise.resolve(handler({ req, res, record, json })).catch((error: unknown) => {
        if (!res.headersSent) json(500, { error: { message: `fake upstream crashed: ${String(error)}`, type: 'server_error', param: null, code: null } });
        else res.destroy();
      });
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    requestsTo: (suffix) => requests.filter((r) => r.path.endsWith(suffix)),
    onClose: (l) => closeListeners.push(l),
    waitFor: async (predicate, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`fake upstream: condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The most requests a fake had open at any moment (from their arrival and close times). */
export function peakInFlight(requests: readonly FakeUpstreamRequest[]): number {
  const events: Array<[number, number]> = [];
  for (const r of requests) {
    events.push([r.receivedAt, 1]);
    events.push([r.closedAt ?? Number.MAX_SAFE_INTEGER, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, (now += d));
  return peak;
}

/** Timers a fake response started, cleared when the response closes (so tests leave no timers). */
export function sleep(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    // The close listener goes when the timer fires (a long stream sleeps once per chunk).
    const onClose = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      res.off('close', onClose);
      resolve();
    }, ms);
    res.once('close', onClose);
  });
}

/** Passes a request on to another fake (a provider front over a backing fake) and streams its reply back as it comes. */
export function forwardTo(ctx: UpstreamContext, target: string, path: string, headers: Record<string, string>, body: unknown): Promise<void> {
  return new Promise((resolve) => {
    const payload = Buffer.from(JSON.stringify(body));
    const up = request(`${target}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(payload.length) } }, (r) => {
      ctx.res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? 'application/json' });
      r.pipe(ctx.res);
      r.on('end', resolve);
      r.on('error', () => {
        ctx.res.socket?.resetAndDestroy();
        resolve();
      });
    });
    up.on('error', () => {
      ctx.res.socket?.resetAndDestroy();
      resolve();
    });
    ctx.res.on('close', () => up.destroy());
    up.end(payload);
  });
}
