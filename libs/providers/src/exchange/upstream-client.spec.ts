import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { UpstreamBodyTooLargeError, UpstreamClient, type UpstreamCall } from './upstream-client';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 whose handler each test sets. */
async function startServer(): Promise<{ url: string; set(h: Handler): void; close(): Promise<void> }> {
  let handler: Handler = (_req, res) => res.end('ok');
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (h) => (handler = h),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes `count` chunks of `size` bytes as fast as the socket takes them, then ends. */
function writeMany(res: ServerResponse, count: number, size: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  let i = 0;
  const next = () => {
    while (i < count) {
      const ok = res.write(Buffer.alloc(size, i % 251));
      i++;
      if (!ok) {
        res.once('drain', next);
        return;
      }
    }
    res.end();
  };
  next();
}

/** Reads a streamed body with a sink that says "pause" on every chunk and resumes a tick later. */
function readPausingEveryChunk(call: UpstreamCall): Promise<{ bytes: number; pauses: number; pausedSeen: boolean }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let pauses = 0;
    let pausedSeen = true;
    call.stream({
      data(chunk) {
        bytes += chunk.length;
        pauses++;
        setImmediate(() => {
          pausedSeen &&= call.paused;
          call.resume();
        });
        return false;
      },
      end: () => resolve({ bytes, pauses, pausedSeen }),
      error: reject,
    });
  });
}

describe('UpstreamClient', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const client = new UpstreamClient({ connectTimeoutMs: 2000, firstByteTimeoutMs: 500, idleTimeoutMs: 2000, totalTimeoutMs: 0 });

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('sends the request and collects the reply with its status and lower-cased headers', async () => {
    server.set((req, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Echo': String(req.headers['x-test']) });
      res.end(JSON.stringify({ path: req.url, method: req.method }));
    });
    const call = client.send({ url: `${server.url}/v1/x?y=1`, method: 'POST', headers: { 'x-test': 'abc' }, body: '{}' });
    await call.started;
    expect(call.statusCode).toBe(201);
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['x-echo']).toBe('abc');
    expect(JSON.parse((await call.collect()).toString())).toEqual({ path: '/v1/x?y=1', method: 'POST' });
  });

  it('streams a 2 MB body through a sink that pauses on every chunk: every byte arrives (resume works any number of times)', async () => {
    server.set((_req, res) => writeMany(res, 512, 4096));
    const call = client.send({ url: `${server.url}/big`, method: 'GET', headers: {} });
    await call.started;
    const got = await readPausingEveryChunk(call);
    expect(got.bytes).toBe(512 * 4096);
    expect(got.pauses).toBeGreaterThan(2);
    expect(got.pausedSeen).toBe(true);
    expect(call.paused).toBe(false);
  });

  it('keeps chunks that arrive before stream() is called, paused, and hands them over first', async () => {
    server.set((_req, res) => writeMany(res, 64, 16 * 1024));
    const call = client.send({ url: `${server.url}/early`, method: 'GET', headers: {} });
    await call.started;
    await new Promise((r) => setTimeout(r, 50));
    expect(call.paused).toBe(true);
    let bytes = 0;
    await new Promise<void>((resolve, reject) => call.stream({ data: (c) => ((bytes += c.length), true), end: resolve, error: reject }));
    expect(bytes).toBe(64 * 16 * 1024);
  });

  it('resume() on a body that is not paused does nothing', async () => {
    server.set((_req, res) => res.end('hello'));
    const call = client.send({ url: `${server.url}/r`, method: 'GET', headers: {} });
    await call.started;
    call.resume();
    call.resume();
    expect((await call.collect()).toString()).toBe('hello');
  });

  it('collect(limit) refuses a body over the cap with a clear error and drops the connection', async () => {
    server.set((_req, res) => writeMany(res, 256, 4096));
    const call = client.send({ url: `${server.url}/huge`, method: 'GET', headers: {} });
    await call.started;
    const err = await call.collect(64 * 1024).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UpstreamBodyTooLargeError);
    expect((err as Error).message).toBe('the upstream reply is larger than 65536 bytes');
  });

  it('collect(limit) lets a body up to the cap through', async () => {
    server.set((_req, res) => res.end(Buffer.alloc(1000, 1)));
    const call = client.send({ url: `${server.url}/fits`, method: 'GET', headers: {} });
    await call.started;
    expect((await call.collect(1000)).length).toBe(1000);
  });

  it('abort() during a stream ends it with the reason', async () => {
    server.set((_req, res) => {
      res.writeHead(200);
      res.write('first');
    });
    const call = client.send({ url: `${server.url}/hang`, method: 'GET', headers: {} });
    await call.started;
    const reason = new Error('client went away');
    const failed = new Promise<Error>((resolve) => call.stream({ data: () => (call.abort(reason), true), end: () => resolve(new Error('ended')), error: resolve }));
    expect(await failed).toBe(reason);
  });

  it('abort() before the head rejects `started` with the reason', async () => {
    server.set(() => undefined);
    const call = client.send({ url: `${server.url}/never`, method: 'GET', headers: {} });
    const reason = new Error('total timeout');
    call.abort(reason);
    await expect(call.started).rejects.toBe(reason);
  });

  it('a head slower than firstByteTimeoutMs fails `started` with undici’s headers timeout', async () => {
    server.set((_req, res) => setTimeout(() => res.end('late'), 2000).unref());
    const call = client.send({ url: `${server.url}/slow`, method: 'GET', headers: {} });
    await expect(call.started).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('a refused connection fails `started`', async () => {
    const closed = await startServer();
    const url = closed.url;
    await closed.close();
    const call = client.send({ url, method: 'GET', headers: {} });
    await expect(call.started).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
