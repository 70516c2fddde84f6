import { connect, type Socket } from 'node:net';

/** Sockets that trickle a request to a server, and when the server closed each of them. */
export interface SlowClients {
  /** Resolves once every socket is closed (or given up on): ms from connect to close, per socket. */
  closed: Promise<number[]>;
  /** Sockets the server has not closed yet. */
  readonly open: number;
  /** Closes every socket still open (cleanup). */
  destroy(): void;
}

export interface SlowClientOptions {
  /** Sent at once after connecting (e.g. a request's complete headers before a slow body). */
  head?: string;
  /** Sent one byte at a time, `everyMs` apart (the first byte right after `head`). */
  trickle: string;
  everyMs: number;
  /** Sockets still open after this long are destroyed and reported as Infinity. */
  giveUpMs: number;
}

/**
 * Opens `count` connections to 127.0.0.1:`port` that send a request one byte every `everyMs`
 * (slowloris), to check that the server closes them on its own timeouts.
 */
export async function startSlowClients(port: number, count: number, options: SlowClientOptions): Promise<SlowClients> {
  const sockets = new Set<Socket>();
  const results = await Promise.all(
    Array.from({ length: count }, () => {
      // Wrapped: resolving with the bare promise would wait for it (promise adoption).
      return new Promise<{ closed: Promise<number> }>((connected, failed) => {
        const socket = connect({ host: '127.0.0.1', port });
        sockets.add(socket);
        let started = 0;
        let sent = 0;
        let timer: NodeJS.Timeout | undefined;
        let gaveUp = false;
        const closed = new Promise<number>((resolve) => {
          socket.on('close', () => {
            clearInterval(timer);
            sockets.delete(socket);
            resolve(gaveUp ? Infinity : performance.now() - started);
          });
        });
        const giveUp = setTimeout(() => {
          gaveUp = true;
          socket.destroy();
        }, options.giveUpMs);
        void closed.then(() => clearTimeout(giveUp));
        socket.on('error', () => undefined);
        // Read (and drop) what the server sends: unread data would hold back its FIN, so 'close'.
        socket.resume();
        socket.once('connect', () => {
          started = performance.now();
          if (options.head) socket.write(options.head);
          const next = () => {
            if (sent < options.trickle.length && !socket.destroyed) socket.write(options.trickle[sent++]);
          };
          next();
          timer = setInterval(next, options.everyMs);
          connected({ closed });
        });
        socket.once('error', (error) => {
          if (!started) failed(error);
        });
      });
    }),
  );
  return {
    closed: Promise.all(results.map((r) => r.closed)),
    get open() {
      return sockets.size;
    },
    destroy() {
      for (const s of sockets) s.destroy();
    },
  };
}
