import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';

/** Client timeouts of one HTTP server, in ms. */
export interface SocketTimeouts {
  /** The request line and headers must arrive within this. */
  headersMs: number;
  /** The body must arrive within this after the headers. */
  bodyMs: number;
  /** The body timeout of `uploadPaths` (large uploads on slow links). */
  uploadMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** Paths (query string aside) whose bodies get `uploadMs`. */
  uploadPaths?: readonly string[];
}

const TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * How often timeouts are enforced. Node checks headersTimeout and requestTimeout only every
 * `connectionsCheckingInterval` (30 s by default), so a 10 s header timeout would otherwise close
 * a slowloris socket after up to 40 s; a quarter of the shortest timeout, at most 1 s, keeps the
 * overshoot small for the cost of walking the connection list once a second.
 */
export function checkIntervalMs(t: SocketTimeouts): number {
  return Math.max(50, Math.min(1000, Math.floor(Math.min(t.headersMs, t.bodyMs) / 4)));
}

/**
 * The Node HTTP server behind Fastify (its `serverFactory`), with every client timeout set
 * explicitly. Node's own requestTimeout is one value per server, so it is set to the longest
 * (headers + upload) as a backstop, and the per-path body deadline is kept here: requests whose
 * body is still incomplete are checked on the same interval and their socket closed (408 when no
 * reply was started) once their deadline passes.
 */
export function createHttpServer(handler: RequestListener, t: SocketTimeouts): Server {
  const checkMs = checkIntervalMs(t);
  const uploads = new Set(t.uploadPaths ?? []);
  /** Requests whose body had not fully arrived when last seen, with their deadline. */
  const pending = new Map<IncomingMessage, { res: ServerResponse; deadline: number }>();

  const server = createServer(
    {
      headersTimeout: t.headersMs,
      requestTimeout: t.headersMs + Math.max(t.bodyMs, t.uploadMs),
      connectionsCheckingInterval: checkMs,
    },
    (req, res) => {
      // `complete` is still false here for every request (the 'request' event comes with the
      // headers); the sweep drops finished ones, so a request costs one Map entry for ≤ checkMs.
      let bodyMs = t.bodyMs;
      if (uploads.size > 0) {
        const url = req.url ?? '';
        const q = url.indexOf('?');
        if (uploads.has(q === -1 ? url : url.slice(0, q))) bodyMs = t.uploadMs;
      }
      pending.set(req, { res, deadline: performance.now() + bodyMs });
      handler(req, res);
    },
  );
  server.keepAliveTimeout = t.keepAliveMs;

  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [req, { res, deadline }] of pending) {
      if (req.complete || req.socket.destroyed) pending.delete(req);
      else if (now >= deadline) {
        pending.delete(req);
        if (!res.headersSent && req.socket.writable) req.socket.write(TIMEOUT_RESPONSE);
        req.socket.destroy();
      }
    }
  }, checkMs);
  sweep.unref();
  server.once('close', () => {
    clearInterval(sweep);
    pending.clear();
  });
  return server;
}
