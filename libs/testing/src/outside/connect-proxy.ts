import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** A forward proxy for tests: HTTP CONNECT tunnels on 127.0.0.1, counted. */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** CONNECT targets (`host:port`) in the order the tunnels were opened. */
  readonly tunnels: readonly string[];
  /** `Proxy-Authorization` of each CONNECT ('' when absent), same order as `tunnels`. */
  readonly authorizations: readonly string[];
  /** Stops listening and cuts every tunnel (the proxy is then down: connections are refused). */
  close(): Promise<void>;
}

/**
 * Starts a tiny HTTP CONNECT proxy (node:http's 'connect' event): each CONNECT opens a TCP
 * connection to its target and pipes both ways. Plain (non-CONNECT) requests answer 405, so a
 * client that forgot to tunnel is noticed.
 */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const authorizations: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('this proxy only tunnels (CONNECT)');
  });
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    authorizations.push(req.headers['proxy-authorization'] ?? '');
    const colon = target.lastIndexOf(':');
    const upstream = connect({ host: target.slice(0, colon), port: Number(target.slice(colon + 1)) });
    track(upstream);
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
