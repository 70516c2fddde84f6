import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP hop on 127.0.0.1 in front of a real server (MariaDB, Redis), so a test can take that
 * server away from one service without touching the shared instance other suites use.
 */
export interface TcpProxy {
  port: number;
  /** `refuse`: existing connections are cut and new ones refused (a stopped server). `hang`: everything stalls (a dead network). */
  cut(mode?: 'refuse' | 'hang'): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Socket>();
  let mode: 'up' | 'refuse' | 'hang' = 'up';
  let server: Server;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        pairs.add(client);
        client.on('close', () => pairs.delete(client));
        client.on('error', () => client.destroy());
        if (mode === 'hang') return; // accepted, never answered
        const upstream = createConnection({ host: targetHost, port: targetPort });
        pairs.add(upstream);
        upstream.on('close', () => {
          pairs.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => upstream.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));

  await listen();
  return {
    get port() {
      return port;
    },
    async cut(how = 'refuse') {
      if (how === 'hang') {
        mode = 'hang';
        for (const s of pairs) s.pause();
        return;
      }
      mode = 'refuse';
      for (const s of pairs) s.destroy();
      await stop();
    },
    async restore() {
      const was = mode;
      mode = 'up';
      if (was === 'refuse') await listen();
      else if (was === 'hang') for (const s of pairs) s.destroy();
    },
    async close() {
      for (const s of pairs) s.destroy();
      if (mode !== 'refuse') await stop();
    },
  };
}
