#!/usr/bin/env node
// The console's production server: Next.js's request handler behind a plain Node HTTP server.
//   node apps/console/server.mjs [-p|--port 3001] [-H|--hostname 0.0.0.0]
// (`next start` would do otherwise, but Next keeps a client's own X-Forwarded-For and hides the
// socket, so the `/api` proxy could not tell the browser's real address from one it made up.)
// Each request gets `x-oneapi-console-peer`: the socket's address and scheme and the forwarding
// headers as they arrived, with a per-process token so the proxy route knows this server wrote it.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';

const dir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (...names) => {
  const i = args.findIndex((a) => names.includes(a));
  return i >= 0 ? args[i + 1] : undefined;
};
const port = Number(arg('-p', '--port') ?? process.env.CONSOLE_PORT ?? 3001);
const hostname = arg('-H', '--hostname');

// Set before Next loads the route module, which compares it (same process, or a child inheriting it).
const token = randomBytes(18).toString('base64url');
process.env.ONEAPI_CONSOLE_PEER_TOKEN = token;

const app = next({ dev: false, dir, hostname: hostname ?? 'localhost', port });
const handle = app.getRequestHandler();
await app.prepare();

const one = (v) => (Array.isArray(v) ? v.join(', ') : v) ?? null;

const server = createServer((req, res) => {
  const peer = {
    k: token,
    addr: req.socket.remoteAddress ?? '',
    scheme: req.socket.encrypted ? 'https' : 'http',
    xff: one(req.headers['x-forwarded-for']),
    xfp: one(req.headers['x-forwarded-proto']),
  };
  // Overwrites whatever the client sent under this name.
  req.headers['x-oneapi-console-peer'] = Buffer.from(JSON.stringify(peer)).toString('base64url');
  handle(req, res);
});
// Longer than the usual load balancer idle timeout, as `next start` does.
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => {
  process.stdout.write(`console listening on http://${hostname ?? 'localhost'}:${port}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
