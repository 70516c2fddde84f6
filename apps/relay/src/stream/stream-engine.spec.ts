import { randomBytes } from 'node:crypto';
import { Agent, createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import OpenAI from 'openai';
import { Agent as UndiciAgent } from 'undici';
import { getAdapter, UpstreamCall } from '@oneapi/providers';
import { runStream, StreamFormats, StreamShutdown, type RunStreamOptions, type StreamResult, type StreamSink, type StreamSource } from './index';

const MiB = 1024 * 1024;
const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A hand-driven upstream body: records pauses, resumes and aborts; producers wait while paused. */
class TestSource implements StreamSource {
  sink: StreamSink | undefined;
  paused = false;
  pauses = 0;
  resumes = 0;
  abortedWith: Error | undefined;
  pushed = 0;
  private wake: (() => void) | undefined;
  private readonly started: Promise<void>;
  private markStarted!: () => void;

  constructor() {
    this.started = new Promise((r) => (this.markStarted = r));
  }

  stream(sink: StreamSink): void {
    this.sink = sink;
    this.markStarted();
  }
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumes++;
    this.wake?.();
  }
  abort(reason?: Error): void {
    this.abortedWith = reason ?? new Error('aborted');
    this.wake?.();
  }

  private get out(): StreamSink {
    if (!this.sink) throw new Error('the engine has not called stream() yet');
    return this.sink;
  }

  get done(): boolean {
    return this.abortedWith !== undefined;
  }

  push(chunk: Buffer | string): boolean {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.pushed += buf.length;
    const ok = this.out.data(buf);
    if (!ok) {
      this.paused = true;
      this.pauses++;
    }
    return ok;
  }

  /** Pushes chunks as an eager upstream would (several per tick), honouring pauses; stops once aborted. */
  async pushAll(chunks: Iterable<Buffer | string>, perTick = 8): Promise<void> {
    await this.started;
    let n = 0;
    for (const c of chunks) {
      while (this.paused && !this.done) await new Promise<void>((r) => (this.wake = r));
      if (this.done) return;
      this.push(c);
      if (++n % perTick === 0) await tick();
    }
  }

  async end(): Promise<void> {
    await this.started;
    while (this.paused && !this.done) await new Promise<void>((r) => (this.wake = r));
    if (!this.done) this.out.end();
  }

  async fail(err: Error): Promise<void> {
    await this.started;
    if (!this.done) this.out.error(err);
  }
}

let server: Server;
let port: number;
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
const serverSockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  server.on('connection', (s) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

type Opts = Omit<RunStreamOptions, 'res' | 'idleMs' | 'deadline' | 'maxLineBytes'> & Partial<Pick<RunStreamOptions, 'idleMs' | 'deadline' | 'maxLineBytes'>>;

/** The next request to the server relays `opts.source` with runStream; resolves with its result. */
/** The response the last `serveNext` stream was written to. */
let lastResponse: ServerResponse | undefined;

function serveNext(opts: Opts, contentType = 'text/event-stream'): Promise<StreamResult> {
  return new Promise((resolve) => {
    handler = (req, res) => {
      req.resume();
      lastResponse = res;
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
      res.flushHeaders();
      void runStream({ idleMs: 0, deadline: Infinity, maxLineBytes: 8 * MiB, ...opts, res }).then(resolve);
    };
  });
}

function request(agent?: Agent): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get({ host: '127.0.0.1', port, path: '/v1/stream', agent: agent ?? false }, resolve).on('error', reject));
}

interface Body {
  bytes: Buffer;
  /** The response ended cleanly (false: reset or aborted). */
  complete: boolean;
}

/** Reads a response; `startAfterMs` holds off reading, `perChunkDelayMs` makes a slow reader. */
function readBody(res: IncomingMessage, o: { startAfterMs?: number; perChunkDelayMs?: number } = {}): Promise<Body> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let settled = false;
    const finish = (complete: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ bytes: Buffer.concat(parts), complete });
    };
    if (o.startAfterMs) {
      res.pause();
      setTimeout(() => res.resume(), o.startAfterMs);
    }
    res.on('data', (d: Buffer) => {
      parts.push(d);
      if (o.perChunkDelayMs) {
        res.pause();
        setTimeout(() => res.resume(), o.perChunkDelayMs);
      }
    });
    res.on('end', () => finish(true));
    res.on('aborted', () => finish(false));
    res.on('error', () => finish(false));
    res.on('close', () => finish(res.complete));
  });
}

/** `data:` payloads of an SSE body, in order. */
function payloads(body: Buffer): string[] {
  return body
    .toString('utf8')
    .replace(/\r\n?/g, '\n')
    .split('\n\n')
    .filter((e) => e.trim() !== '')
    .flatMap((e) =>
      e
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart()),
    );
}

function chatChunk(content: string, extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...extra })}\n\n`;
}

function expectErrorEnding(body: Buffer, code: string) {
  const p = payloads(body);
  expect(p.at(-1)).toBe('[DONE]');
  expect(JSON.parse(p[p.length - 2])).toEqual({ error: { message: expect.any(String), type: 'upstream_error', param: null, code } });
}

describe('runStream: openai-sse', () => {
  it('delivers a fast 2.4 MB stream to a slow reader: every byte and [DONE], pausing and resuming many times', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI(), idleMs: 2000 });
    const res = await request();
    const events = Array.from({ length: 2200 }, (_, i) => chatChunk(`${i}:${'x'.repeat(1000)}|`));
    const producing = source.pushAll(events, 16).then(() => source.end());
    const body = await readBody(res, { startAfterMs: 300, perChunkDelayMs: 1 });
    await producing;
    const r = await result;
    expect(r.reason).toBe('complete');
    expect(body.complete).toBe(true);
    const p = payloads(body.bytes);
    expect(p).toHaveLength(2201);
    expect(p.at(-1)).toBe('[DONE]');
    const expectedText = events.map((_, i) => `${i}:${'x'.repeat(1000)}|`).join('');
    expect(p.slice(0, -1).map((d) => (JSON.parse(d) as { choices: { delta: { content: string } }[] }).choices[0].delta.content).join('')).toBe(expectedText);
    expect(r.text).toBe(expectedText);
    expect(r.bytes).toBe(body.bytes.length);
    expect(source.pauses).toBeGreaterThanOrEqual(2);
    expect(source.resumes).toBe(source.pauses);
    expect(r.firstByteAt).toBeGreaterThan(0);
  });

  it('relays a single 1 MiB event arriving in 64 KiB pieces', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI() });
    const res = await request();
    const big = Buffer.from(chatChunk('y'.repeat(MiB)));
    const pieces: Buffer[] = [];
    for (let at = 0; at < big.length; at += 64 * 1024) pieces.push(Buffer.from(big.subarray(at, at + 64 * 1024)));
    const producing = source.pushAll(pieces, 4).then(() => source.end());
    const body = await readBody(res, { startAfterMs: 100 });
    await producing;
    const r = await result;
    expect(r.reason).toBe('complete');
    expect(payloads(body.bytes)).toEqual([big.toString().slice(6, -2), '[DONE]']);
    expect(r.text).toHaveLength(MiB);
  });

  it('ends a 20 MiB line without newline with line_too_long, an error event and [DONE], in bounded memory', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI(), maxLineBytes: 8 * MiB });
    const res = await request();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    const started = performance.now();
    const chunks = (function* () {
      yield 'data: {"choices":[{"delta":{"content":"';
      for (let sent = 0; sent < 20 * MiB; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 0x61);
    })();
    const producing = source.pushAll(chunks, 4).then(() => source.end());
    const body = await readBody(res);
    await producing;
    const r = await result;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(r.reason).toBe('line_too_long');
    expect(source.abortedWith).toBeDefined();
    expect(source.pushed).toBeLessThan(9 * MiB);
    expectErrorEnding(body.bytes, 'line_too_long');
    expect(payloads(body.bytes)).toHaveLength(2);
    expect(peak - before).toBeLessThan(50 * MiB);
    // Linear: framing 8 MiB of one line takes milliseconds, not the seconds a rescan per chunk costs.
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("sanitises an upstream's own error event: no key, URL or host reaches the client", async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI(), sanitize: (m) => m.replace(/sk-\w+/g, '[key]').replace(/https?:\/\/\S+/g, '[url]') });
    const res = await request();
    const body = readBody(res);
    await source.pushAll([chatChunk('Hel'), `data: ${JSON.stringify({ error: { message: 'key sk-secret123 refused at http://10.0.0.9:8080/v1', type: 'server_error', code: 'x' } })}\n\n`, chatChunk('lo')]);
    source.end();
    const b = await body;
    await result;
    const text = b.bytes.toString('utf8');
    expect(text).not.toContain('sk-secret123');
    expect(text).not.toContain('10.0.0.9');
    const p = payloads(b.bytes);
    expect(JSON.parse(p[1])).toEqual({ error: { message: 'key [key] refused at [url]', type: 'server_error', code: 'x' } });
    expect(p.at(-1)).toBe('[DONE]');
  });

  it('drops and counts malformed events; the openai SDK reads the rest without a SyntaxError', async () => {
    const source = new TestSource();
    const result = new Promise<StreamResult>((resolve) => {
      handler = (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        void runStream({ source, res, format: StreamFormats.openAI(), idleMs: 0, deadline: Infinity, maxLineBytes: MiB }).then(resolve);
      };
    });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const stream = client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    void source
      .pushAll([
        chatChunk('Hel'),
        'data: {"choices":[{"delta":{"content":"broken\n\n',
        ': keep-alive\n\n',
        'event: ping\n\n',
        'data: \n\n',
        'data: not json\n\n',
        chatChunk('lo'),
      ])
      .then(() => source.end());
    let text = '';
    for await (const chunk of await stream) text += chunk.choices[0]?.delta?.content ?? '';
    const r = await result;
    expect(text).toBe('Hello');
    expect(r.text).toBe('Hello');
    expect(r.droppedEvents).toBe(4);
    expect(r.reason).toBe('complete');
  });

  it('makes the openai SDK raise an APIError on an abnormal end, after the text delivered so far', async () => {
    const source = new TestSource();
    handler = (req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      void runStream({ source, res, format: StreamFormats.openAI(), idleMs: 0, deadline: Infinity, maxLineBytes: MiB, requestId: 'req-9' });
    };
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    void source.pushAll([chatChunk('so far')]).then(() => source.fail(new Error('socket hang up')));
    let text = '';
    const failure = await (async () => {
      try {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(text).toBe('so far');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_reset');
    expect((failure as Error).message).toContain('(request id: req-9)');
  });

  it('ends with idle_timeout while the client does not read (the upstream paused), then delivers the error and [DONE] once it reads', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI(), idleMs: 300 });
    const res = await request();
    // Plenty: enough to fill the socket buffers so the source is paused.
    void source.pushAll(
      (function* () {
        for (let i = 0; i < 100_000; i++) yield chatChunk('z'.repeat(2000));
      })(),
      16,
    );
    const started = performance.now();
    const reading = readBody(res, { startAfterMs: 1200 });
    const r = await result;
    expect(r.reason).toBe('idle_timeout');
    expect(source.pauses).toBeGreaterThanOrEqual(1);
    expect(source.abortedWith).toBeDefined();
    expect(performance.now() - started).toBeLessThan(1200);
    const body = await reading;
    expect(body.complete).toBe(true);
    expectErrorEnding(body.bytes, 'idle_timeout');
  });

  it('ends with idle_timeout when the upstream goes silent', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI(), idleMs: 200, requestId: 'req-1' });
    const res = await request();
    const started = performance.now();
    void source.pushAll([chatChunk('a'), chatChunk('b')]);
    const body = await readBody(res);
    const r = await result;
    const elapsed = performance.now() - started;
    expect(r.reason).toBe('idle_timeout');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
    expect(r.text).toBe('ab');
    expect(payloads(body.bytes)).toHaveLength(4);
    expectErrorEnding(body.bytes, 'idle_timeout');
    expect(body.bytes.toString()).toContain('(request id: req-1)');
  });

  it('ends with total_timeout at the deadline even while the upstream keeps sending', async () => {
    const source = new TestSource();
    const started = performance.now();
    const result = serveNext({ source, format: StreamFormats.openAI(), idleMs: 1000, deadline: started + 300 });
    const res = await request();
    void (async () => {
      for (let i = 0; i < 100 && !source.done; i++) {
        await source.pushAll([chatChunk(`${i}`)]);
        await sleep(20);
      }
    })();
    const body = await readBody(res);
    const r = await result;
    expect(r.reason).toBe('total_timeout');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(source.abortedWith).toBeDefined();
    expectErrorEnding(body.bytes, 'total_timeout');
  });

  it('ends with upstream_reset when the source fails, keeping what was delivered', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI() });
    const res = await request();
    void source.pushAll([chatChunk('par'), 'data: {"choices":[{"delta":{"content":"tial']).then(() => source.fail(new Error('other side closed')));
    const body = await readBody(res);
    const r = await result;
    expect(r.reason).toBe('upstream_reset');
    expect(r.error?.message).toBe('other side closed');
    expect(r.text).toBe('par');
    expectErrorEnding(body.bytes, 'upstream_reset');
    expect(body.bytes.toString()).not.toContain('other side closed');
  });

  it('ends with shutdown when the shutdown signal fires', async () => {
    const source = new TestSource();
    const shutdown = new StreamShutdown();
    const result = serveNext({ source, format: StreamFormats.openAI(), shutdown });
    const res = await request();
    void source.pushAll([chatChunk('a')]).then(() => shutdown.fire());
    const body = await readBody(res);
    expect((await result).reason).toBe('shutdown');
    expectErrorEnding(body.bytes, 'shutdown');
  });

  it('destroys the socket of a client that never reads once the stream ended and nothing drained for endGraceMs', async () => {
    const source = new TestSource();
    let closed: Promise<number> | undefined;
    const result = new Promise<StreamResult>((resolve) => {
      handler = (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        closed = new Promise<number>((r) => res.socket?.once('close', () => r(performance.now())));
        void runStream({ source, res, format: StreamFormats.openAI(), idleMs: 200, deadline: Infinity, maxLineBytes: MiB, endGraceMs: 200 }).then(resolve);
      };
    });
    const res = await request();
    // The client stops reading at once (its kernel buffer fills, then the server's).
    res.pause();
    void source.pushAll(
      (function* () {
        for (let i = 0; i < 100_000; i++) yield chatChunk('w'.repeat(2000));
      })(),
      16,
    );
    const r = await result;
    const endedAt = performance.now();
    expect(r.reason).toBe('idle_timeout');
    const gap = ((await closed) ?? Infinity) - endedAt;
    res.destroy();
    expect(gap).toBeGreaterThanOrEqual(150);
    expect(gap).toBeLessThan(2000);
  });

  it('ends the client at [DONE] and stops waiting for an upstream that keeps its body open', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI() });
    const res = await request();
    const started = performance.now();
    void source.pushAll([chatChunk('a'), 'data: [DONE]\n\n']);
    const body = await readBody(res);
    expect(body.complete).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
    const r = await result;
    expect(r.reason).toBe('complete');
    expect(source.abortedWith).toBeDefined();
    expect(payloads(body.bytes)).toHaveLength(2);
  });

  it('reports client_gone and aborts the source when the client disconnects', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI(), idleMs: 5000 });
    const res = await request();
    void source.pushAll([chatChunk('a'), chatChunk('b')]);
    await new Promise<void>((r) => res.once('data', () => r()));
    const gone = performance.now();
    res.destroy();
    const r = await result;
    expect(r.reason).toBe('client_gone');
    expect(performance.now() - gone).toBeLessThan(500);
    expect(source.abortedWith).toBeDefined();
  });

  it('decodes UTF-8 split across chunks and CRLF-framed events', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI() });
    const res = await request();
    const wire = Buffer.from(chatChunk('héllo 世界 🎉').replace(/\n/g, '\r\n') + chatChunk(' ok').replace(/\n/g, '\r\n') + 'data: [DONE]\r\n\r\n');
    // One byte per chunk: every character and every CRLF is split somewhere.
    const pieces = Array.from({ length: wire.length }, (_, i) => Buffer.from(wire.subarray(i, i + 1)));
    void source.pushAll(pieces, 64).then(() => source.end());
    const body = await readBody(res);
    const r = await result;
    expect(r.reason).toBe('complete');
    expect(r.text).toBe('héllo 世界 🎉 ok');
    expect(JSON.stringify(body.bytes.toString())).toBe(JSON.stringify(wire.toString()));
  });

  it('drops the usage-only chunk the relay asked for but records its usage, and adds [DONE] when the upstream omits it', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.openAI({ dropUsageOnlyChunk: true }) });
    const res = await request();
    const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
    void source.pushAll([chatChunk('a'), chatChunk('b'), `data: ${JSON.stringify({ choices: [], usage })}\n\n`]).then(() => source.end());
    const body = await readBody(res);
    const r = await result;
    expect(r.usage).toEqual(usage);
    const p = payloads(body.bytes);
    expect(p).toHaveLength(3);
    expect(p.join('')).not.toContain('usage');
    expect(p.at(-1)).toBe('[DONE]');
  });

  it('sends a locally counted usage chunk before [DONE] when the upstream cannot', async () => {
    const source = new TestSource();
    const result = serveNext({
      source,
      format: StreamFormats.openAI({
        usageChunk: (r) => {
          r.usage = { prompt_tokens: 3, completion_tokens: r.text.length, total_tokens: 3 + r.text.length };
          return { id: 'x', object: 'chat.completion.chunk', choices: [], usage: r.usage };
        },
      }),
    });
    const res = await request();
    void source.pushAll([chatChunk('abc'), 'data: [DONE]\n\n']).then(() => source.end());
    const body = await readBody(res);
    const r = await result;
    const p = payloads(body.bytes);
    expect(p).toHaveLength(3);
    expect(JSON.parse(p[1])).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
    expect(p[2]).toBe('[DONE]');
    expect(r.usage?.completion_tokens).toBe(3);
  });

  it('reads a real UpstreamCall from a local upstream over undici', async () => {
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chatChunk('from '));
      setTimeout(() => res.end(`${chatChunk('undici')}data: [DONE]\n\n`), 20);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const agent = new UndiciAgent();
    try {
      const call = new UpstreamCall();
      agent.dispatch({ origin: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, path: '/', method: 'POST', body: '{}' }, call);
      await call.started;
      const result = serveNext({ source: call, format: StreamFormats.openAI() });
      const body = await readBody(await request());
      const r = await result;
      expect(r.reason).toBe('complete');
      expect(r.text).toBe('from undici');
      expect(payloads(body.bytes).at(-1)).toBe('[DONE]');
    } finally {
      await agent.close();
      upstream.closeAllConnections();
      await new Promise<void>((r) => upstream.close(() => r()));
    }
  });
});

describe('runStream: converted-sse (Anthropic)', () => {
  const anthropic = getAdapter(14);
  const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const events = [
    ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 11, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', {}),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Bonjour ' } }),
    'event: content_block_delta\ndata: {not json\n\n',
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'à tous' } }),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } }),
    ev('message_stop', {}),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'after the end' } }),
  ].join('');

  for (const includeUsage of [true, false]) {
    it(`converts events to OpenAI chunks (includeUsage ${includeUsage}), usage from the state, ignoring what follows the end`, async () => {
      const source = new TestSource();
      const state = anthropic.createStreamState?.({ requestModel: 'claude-x', upstreamModel: 'claude-x' });
      if (!state) throw new Error('the Anthropic adapter has no stream state');
      const result = serveNext({ source, format: StreamFormats.converted(anthropic, state, includeUsage) });
      const res = await request();
      const wire = Buffer.from(events);
      const pieces: Buffer[] = [];
      for (let at = 0; at < wire.length; at += 37) pieces.push(Buffer.from(wire.subarray(at, at + 37)));
      void source.pushAll(pieces, 3).then(() => source.end());
      const body = await readBody(res);
      const r = await result;
      expect(r.reason).toBe('complete');
      expect(r.usage).toEqual({ prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });
      expect(r.text).toBe('Bonjour à tous');
      expect(r.droppedEvents).toBe(1);
      const p = payloads(body.bytes);
      expect(p.at(-1)).toBe('[DONE]');
      const chunks = p.slice(0, -1).map((d) => JSON.parse(d) as { model: string; choices: { delta: { content?: string }; finish_reason: string | null }[]; usage?: unknown });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Bonjour à tous');
      expect(chunks.every((c) => c.model === 'claude-x')).toBe(true);
      expect(chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
      expect(chunks.some((c) => c.choices.length === 0 && c.usage !== undefined)).toBe(includeUsage);
    });
  }
});

/** A protocol reader for the tests: counts events, ends at `{"type":"end"}`, usage from `{"usage":...}`. */
function testReader() {
  const seen: string[] = [];
  let usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined;
  let final = false;
  let text = '';
  return {
    seen,
    get usage() {
      return usage;
    },
    get pendingText() {
      return final ? undefined : text;
    },
    event(name: string | undefined, data: unknown) {
      const d = data as { type?: string; text?: string; usage?: { in: number; out: number } };
      seen.push(name ?? d.type ?? '');
      if (typeof d.text === 'string') text += d.text;
      if (d.usage) {
        usage = { prompt_tokens: d.usage.in, completion_tokens: d.usage.out, total_tokens: d.usage.in + d.usage.out };
        final = true;
      }
      return d.type === 'end';
    },
    error: (code: string, message: string) => `event: error\ndata: ${JSON.stringify({ type: 'error', code, message })}\n\n`,
  };
}

describe('runStream: protocol-sse (a client protocol served natively)', () => {
  const ev = (type: string, data: Record<string, unknown> = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

  it('forwards the events byte for byte, drops malformed ones, reads usage and ends at the protocol’s last event', async () => {
    const source = new TestSource();
    const reader = testReader();
    const result = serveNext({ source, format: StreamFormats.protocol(reader) });
    const res = await request();
    const good = [ev('start'), ': keep-alive\n\n', ev('delta', { text: 'Hi ' }), ev('delta', { text: 'there' }), ev('final', { usage: { in: 7, out: 3 } }), ev('end')];
    const wire = Buffer.from([good[0], good[1], good[2], 'event: delta\ndata: {oops\n\n', ...good.slice(3), ev('delta', { text: 'after the end' })].join(''));
    const pieces: Buffer[] = [];
    for (let at = 0; at < wire.length; at += 13) pieces.push(Buffer.from(wire.subarray(at, at + 13)));
    void source.pushAll(pieces, 2).then(() => source.end());
    const body = await readBody(res);
    const r = await result;
    expect(r.reason).toBe('complete');
    expect(body.bytes.toString()).toBe(good.join(''));
    expect(r.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(r.droppedEvents).toBe(1);
    expect(r.text).toBe('');
    expect(reader.seen).toEqual(['start', 'delta', 'delta', 'final', 'end']);
  });

  it('sanitises an upstream error event’s message and passes it on', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.protocol(testReader()), sanitize: (m) => m.replace('sk-secret', '[key]') });
    const res = await request();
    void source.pushAll([ev('start'), ev('error', { error: { type: 'overloaded_error', message: 'bad key sk-secret' } })]).then(() => source.end());
    const body = await readBody(res);
    await result;
    expect(body.bytes.toString()).toContain('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"bad key [key]"}}\n\n');
  });

  it('an upstream reset ends with the protocol’s error event (no [DONE]); the text delivered before the final usage is kept for billing', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.protocol(testReader()), requestId: 'req-1' });
    const res = await request();
    await source.pushAll([ev('start'), ev('delta', { text: 'partial' })]);
    source.sink?.error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const body = await readBody(res);
    const r = await result;
    expect(r.reason).toBe('upstream_reset');
    expect(r.text).toBe('partial');
    const text = body.bytes.toString();
    expect(text.endsWith(`event: error\ndata: ${JSON.stringify({ type: 'error', code: 'upstream_reset', message: 'the upstream connection broke off (request id: req-1)' })}\n\n`)).toBe(true);
    expect(text).not.toContain('[DONE]');
  });
});

describe('runStream: bridged-sse (chat chunks as a client protocol’s events)', () => {
  /** A translator for the tests: one `event: t` per chunk with its text, `event: end` at the end. */
  const translator = () => ({
    chunk: (c: Record<string, unknown>) => {
      const delta = (c.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content;
      return delta ? `event: t\ndata: ${JSON.stringify({ text: delta })}\n\n` : '';
    },
    end: () => 'event: end\ndata: {}\n\n',
    error: (code: string, message: string) => `event: error\ndata: ${JSON.stringify({ code, message })}\n\n`,
  });
  const usageChunk = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } })}\n\n`;

  it('translates each chunk, ends with the translator’s end at [DONE], keeps the usage (and no text to count)', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.bridged(translator()) });
    const res = await request();
    void source.pushAll([chatChunk('Hel'), 'data: not json\n\n', chatChunk('lo'), usageChunk, 'data: [DONE]\n\n']).then(() => source.end());
    const body = await readBody(res);
    const r = await result;
    expect(body.bytes.toString()).toBe('event: t\ndata: {"text":"Hel"}\n\nevent: t\ndata: {"text":"lo"}\n\nevent: end\ndata: {}\n\n');
    expect(r.usage).toEqual({ prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
    expect(r.text).toBe('');
    expect(r.droppedEvents).toBe(1);
  });

  it('an upstream error chunk becomes the protocol’s error event, sanitised, and nothing follows', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.bridged(translator()), sanitize: (m) => m.replace('https://up.example', '[url]') });
    const res = await request();
    void source.pushAll([chatChunk('a'), `data: ${JSON.stringify({ error: { message: 'failed at https://up.example', type: 'server_error', code: 'boom' } })}\n\n`, chatChunk('b')]).then(() => source.end());
    const body = await readBody(res);
    expect((await result).reason).toBe('complete');
    expect(body.bytes.toString()).toBe('event: t\ndata: {"text":"a"}\n\nevent: error\ndata: {"code":"boom","message":"failed at [url]"}\n\n');
  });

  it('a stream cut before its usage ends with the error event, the delivered text kept for billing', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.bridged(translator()) });
    const res = await request();
    await source.pushAll([chatChunk('one '), chatChunk('two')]);
    source.sink?.error(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    const body = await readBody(res);
    const r = await result;
    expect(r.reason).toBe('upstream_reset');
    expect(r.usage).toBeUndefined();
    expect(r.text).toBe('one two');
    expect(body.bytes.toString()).toMatch(/event: error\ndata: \{"code":"upstream_reset",.*\}\n\n$/);
  });

  it('converts a native upstream to chunks first (Anthropic events → chat chunks → the protocol)', async () => {
    const anthropic = getAdapter(14);
    const state = anthropic.createStreamState?.({ requestModel: 'm', upstreamModel: 'm' });
    if (!state) throw new Error('the Anthropic adapter has no stream state');
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.bridged(translator(), { adapter: anthropic, state }) });
    const res = await request();
    const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    void source
      .pushAll([
        ev('message_start', { message: { usage: { input_tokens: 5, output_tokens: 1 } } }),
        ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Salut' } }),
        ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }),
        ev('message_stop', {}),
      ])
      .then(() => source.end());
    const body = await readBody(res);
    const r = await result;
    expect(body.bytes.toString()).toBe('event: t\ndata: {"text":"Salut"}\n\nevent: end\ndata: {}\n\n');
    expect(r.usage).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
  });
});

describe('runStream: raw-sse (text-to-speech)', () => {
  it('forwards valid events, drops malformed ones, records usage, adds no [DONE]', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.raw() });
    const res = await request();
    const delta = (b64: string) => `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: b64 })}\n\n`;
    const doneEvent = `data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: 7, output_tokens: 30, total_tokens: 37 } })}\n\n`;
    void source.pushAll([delta('AAAA'), 'data: {"type":"speech.audio.delta","audio":"BB\n\n', delta('CCCC'), doneEvent]).then(() => source.end());
    const body = await readBody(res);
    const r = await result;
    expect(r.reason).toBe('complete');
    expect(r.droppedEvents).toBe(1);
    expect(r.usage).toEqual({ prompt_tokens: 7, completion_tokens: 30, total_tokens: 37 });
    expect(body.bytes.toString()).toBe(delta('AAAA') + delta('CCCC') + doneEvent);
  });
});

describe('runStream: binary (audio)', () => {
  it('forwards 4 MB of bytes as they arrive to a slow reader, with backpressure', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.binary(), idleMs: 2000 }, 'audio/mpeg');
    const res = await request();
    const audio = randomBytes(4 * MiB);
    const pieces: Buffer[] = [];
    for (let at = 0; at < audio.length; at += 16 * 1024) pieces.push(Buffer.from(audio.subarray(at, at + 16 * 1024)));
    // The first bytes reach the client before the upstream has sent the rest.
    const firstArrives = new Promise<number>((r) => res.once('data', () => r(source.pushed)));
    const producing = source.pushAll(pieces, 8).then(() => source.end());
    const body = await readBody(res, { startAfterMs: 300, perChunkDelayMs: 1 });
    await producing;
    const r = await result;
    expect(r.reason).toBe('complete');
    expect(body.complete).toBe(true);
    expect(body.bytes.equals(audio)).toBe(true);
    expect(r.bytes).toBe(audio.length);
    expect(await firstArrives).toBeLessThan(audio.length);
    expect(source.pauses).toBeGreaterThanOrEqual(2);
    expect(source.resumes).toBe(source.pauses);
  });

  it('destroys the response on an abnormal end so truncated audio never looks complete', async () => {
    const source = new TestSource();
    const result = serveNext({ source, format: StreamFormats.binary() }, 'audio/mpeg');
    const res = await request();
    void source.pushAll([randomBytes(1000), randomBytes(1000)]).then(() => source.fail(new Error('reset')));
    const body = await readBody(res);
    expect((await result).reason).toBe('upstream_reset');
    expect(body.complete).toBe(false);
    expect(body.bytes.length).toBe(2000);
  });
});

describe('runStream: writes', () => {
  it('hands the events of one tick to the response in one write (one chunk frame, not one per upstream event)', async () => {
    const source = new TestSource();
    const writes: number[] = [];
    const result = serveNext({ source, format: StreamFormats.openAI() });
    const res = await request();
    const events = Array.from({ length: 20 }, (_, i) => chatChunk(`w${i}`));
    // The engine's writes on this response (its head went out with flushHeaders).
    const served = lastResponse;
    if (!served) throw new Error('no response served');
    const write = served.write.bind(served) as (chunk: Buffer) => boolean;
    served.write = ((chunk: Buffer) => {
      writes.push(chunk.length);
      return write(chunk);
    }) as typeof served.write;
    void source.pushAll([...events, 'data: [DONE]\n\n'], 100).then(() => source.end());
    const body = await readBody(res);
    expect((await result).reason).toBe('complete');
    expect(payloads(body.bytes)).toHaveLength(21);
    // 21 upstream events pushed in one tick: one write for them, then the end.
    expect(writes.length).toBeLessThanOrEqual(2);
  });
});

describe('runStream: resources', () => {
  it('leaves no listeners or timers behind over 1000 streams on keep-alive sockets', async () => {
    const shutdown = new StreamShutdown();
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const timers = () => process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length;
    const socketListeners = () => [...serverSockets].map((s) => s.eventNames().reduce((n, e) => n + s.listenerCount(e), 0));
    const runOne = async (i: number) => {
      const source = new TestSource();
      const result = serveNext({ source, format: StreamFormats.openAI(), idleMs: 30_000, deadline: performance.now() + 60_000, shutdown });
      const res = await request(agent);
      void source.pushAll([chatChunk(`${i}`), chatChunk('!'), 'data: [DONE]\n\n']).then(() => source.end());
      const body = await readBody(res);
      const r = await result;
      expect(r.reason).toBe('complete');
      expect(payloads(body.bytes)).toHaveLength(3);
    };
    for (let i = 0; i < 20; i++) await runOne(i);
    const baseTimers = timers();
    const baseSockets = socketListeners();
    for (let i = 0; i < 1000; i++) await runOne(i);
    expect(shutdown.streams.size).toBe(0);
    // A leak would leave ~1000; the few others are the keep-alive sockets' own timers.
    expect(timers()).toBeLessThanOrEqual(baseTimers + 4);
    expect(Math.max(...socketListeners())).toBeLessThanOrEqual(Math.max(...baseSockets));
    agent.destroy();
  });
});
