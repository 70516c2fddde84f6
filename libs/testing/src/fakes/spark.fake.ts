import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** One request frame the fake received, with the socket's path and query. */
export interface SparkFakeRequest {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  receivedAt: number;
  /** When the client closed the socket before the answer ended (or the fake cut it). */
  closedAt?: number;
}

export interface FakeSpark {
  /** `http://127.0.0.1:<port>`: the channel's base URL (the adapter turns it into ws://). */
  url: string;
  /** Every request frame, in arrival order. */
  requests: SparkFakeRequest[];
  /** Handshakes refused (bad signature, stale date, wrong host), with their HTTP status. */
  refused: number[];
  /** Polls `predicate` every 10 ms until true, or throws after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeSparkOptions {
  appId: string;
  apiKey: string;
  apiSecret: string;
  /** Usage the last frame reports (default 10 prompt, 5 completion). */
  promptTokens?: number;
  completionTokens?: number;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Spark refuses a date more than five minutes from its clock. */
const MAX_SKEW_MS = 300_000;
const TOP = new Set(['header', 'parameter', 'payload']);
const HEADER = new Set(['app_id', 'uid']);
const CHAT = new Set(['domain', 'temperature', 'max_tokens', 'top_k', 'auditing', 'chat_id']);
const PAYLOAD = new Set(['message', 'functions']);
/** The socket path of each domain. */
const DOMAIN_PATHS: Readonly<Record<string, string>> = {
  lite: '/v1.1/chat',
  generalv2: '/v2.1/chat',
  generalv3: '/v3.1/chat',
  'pro-128k': '/chat/pro-128k',
  'generalv3.5': '/v3.5/chat',
  'max-32k': '/chat/max-32k',
  '4.0Ultra': '/v4.0/chat',
};

/** One unmasked server frame (RFC 6455 section 5.2). */
function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126) {
    head[0] = 0x80 | opcode;
    if (len < 65536) {
      head[1] = 126;
      head.writeUInt16BE(len, 2);
    } else {
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
  }
  return Buffer.concat([head, payload]);
}

/** Reads the client's masked frames from a socket; `onMessage` gets each whole text message. */
function readFrames(socket: Socket, onMessage: (text: string) => void, onClose: () => void): void {
  let buf = Buffer.alloc(0);
  let parts: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      // Clients must mask (RFC 6455 5.1): an unmasked frame fails the connection.
      if (!masked) return void socket.destroy();
      if (buf.length < at + 4 + len) return;
      const mask = buf.subarray(at, at + 4);
      const payload = Buffer.from(buf.subarray(at + 4, at + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      buf = buf.subarray(at + 4 + len);
      if (opcode === 0x8) {
        if (socket.writable) socket.end(frame(0x8, payload.subarray(0, 2)));
        onClose();
        return;
      }
      if (opcode === 0x9 && socket.writable) socket.write(frame(0xa, payload));
      if (opcode === 0x1 || opcode === 0x0) {
        parts.push(payload);
        if (fin) {
          const text = Buffer.concat(parts).toString('utf8');
          parts = [];
          onMessage(text);
        }
      }
    }
  });
}

function refuse(socket: Socket, status: number, message: string): void {
  const body = JSON.stringify({ message });
  const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Why the handshake's signature fails, with Spark's status, or undefined when it verifies. */
function authProblem(req: IncomingMessage, url: URL, opts: FakeSparkOptions): [number, string] | undefined {
  const q = url.searchParams;
  const authorization = q.get('authorization');
  const date = q.get('date');
  const host = q.get('host');
  if (!authorization || !date || !host) return [401, 'HMAC signature cannot be verified: authorization, date and host are required'];
  if (host !== req.headers.host) return [401, 'HMAC signature cannot be verified: host mismatch'];
  const at = Date.parse(date);
  if (Number.isNaN(at) || Math.abs(Date.now() - at) > MAX_SKEW_MS) return [403, 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication'];
  const decoded = Buffer.from(authorization, 'base64').toString('utf8');
  const fields = Object.fromEntries([...decoded.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (fields.api_key !== opts.apiKey) return [401, 'HMAC signature cannot be verified'];
  if (fields.algorithm !== 'hmac-sha256' || fields.headers !== 'host date request-line') return [401, 'HMAC signature does not conform to the correct format'];
  const expected = createHmac('sha256', opts.apiSecret).update(`host: ${host}\ndate: ${date}\nGET ${url.pathname} HTTP/1.1`).digest();
  const got = Buffer.from(fields.signature ?? '', 'base64');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return [401, 'HMAC signature cannot be verified'];
  return undefined;
}

/** Why the request frame is refused (Spark's code 10163 names the field), or undefined. */
function bodyProblem(body: Record<string, unknown>, path: string): string | undefined {
  for (const k of Object.keys(body)) if (!TOP.has(k)) return `unknown field ${k}`;
  const header = (body.header ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(header)) if (!HEADER.has(k)) return `unknown field header.${k}`;
  const chat = ((body.parameter as Record<string, unknown> | undefined)?.chat ?? {}) as Record<string, unknown>;
  for (const k of Object.keys((body.parameter ?? {}) as object)) if (k !== 'chat') return `unknown field parameter.${k}`;
  for (const k of Object.keys(chat)) if (!CHAT.has(k)) return `unknown field parameter.chat.${k}`;
  if (typeof chat.domain !== 'string' || DOMAIN_PATHS[chat.domain] !== path) return `domain ${String(chat.domain)} is not served at ${path}`;
  const payload = (body.payload ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(payload)) if (!PAYLOAD.has(k)) return `unknown field payload.${k}`;
  const text = (payload.message as { text?: unknown } | undefined)?.text;
  if (!Array.isArray(text) || text.length === 0) return 'payload.message.text is required';
  for (const m of text as { role?: unknown; content?: unknown }[]) {
    if (m.role !== 'system' && m.role !== 'user' && m.role !== 'assistant') return `role ${String(m.role)} is invalid`;
    if (typeof m.content !== 'string') return 'content must be a string';
  }
  if (payload.functions !== undefined && !chat.domain.startsWith('generalv3') && chat.domain !== '4.0Ultra') return 'functions are not supported on this domain';
  return undefined;
}

/**
 * A fake iFlytek Spark v1 WebSocket chat API on 127.0.0.1 (a node:http server answering the
 * upgrade, with a minimal RFC 6455 text-frame codec): the handshake's HMAC-SHA256 signature
 * over host, date and request line is recomputed with the APISecret (401 otherwise), a date
 * more than five minutes off is 403, and the host parameter must be the Host header. The request
 * frame must carry the APPID (error frame 10313 otherwise), a domain served at the path, and no
 * unknown field (10163). The answer streams five frames `tok0 `..`tok4 ` (status 0, 1, then 2 with
 * usage); with functions, the question's weather and time become two function_call frames.
 * The last user message steers it: `[cut]` closes the socket after two frames without the last,
 * `[slow]` sends 100 frames 50 ms apart, `[stall]` goes silent after two frames with the socket open.
 */
export async function startFakeSpark(opts: FakeSparkOptions): Promise<FakeSpark> {
  const requests: SparkFakeRequest[] = [];
  const refused: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'WebSocket only' }));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const problem = authProblem(req, url, opts);
    if (problem) {
      refused.push(problem[0]);
      return refuse(socket, problem[0], problem[1]);
    }
    const key = req.headers['sec-websocket-key'];
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string') return refuse(socket, 400, 'not a WebSocket handshake');
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
    let record: SparkFakeRequest | undefined;
    let done = false;
    const send = (obj: unknown) => {
      if (socket.writable) socket.write(frame(0x1, Buffer.from(JSON.stringify(obj))));
    };
    const sid = `cht000fake${requests.length}`;
    const error = (code: number, message: string) => {
      done = true;
      send({ header: { code, message, sid, status: 2 } });
      if (socket.writable) socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
    };
    readFrames(
      socket,
      (text) => {
        if (record) return error(10160, 'one request per connection');
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          return error(10160, 'request data is not JSON');
        }
        record = { path: url.pathname, query: Object.fromEntries(url.searchParams), body, receivedAt: Date.now() };
        requests.push(record);
        if ((body.header as { app_id?: unknown } | undefined)?.app_id !== opts.appId) return error(10313, 'appid和apikey不匹配');
        const refusal = bodyProblem(body, url.pathname);
        if (refusal) return error(10163, `param validate error: ${refusal}`);
        void answer(body);
      },
      () => {
        if (record && !done) record.closedAt = Date.now();
        done = true;
      },
    );
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (record && !done) record.closedAt = Date.now();
      done = true;
    });

    const answer = async (body: Record<string, unknown>) => {
      const payload = body.payload as { message: { text: { role: string; content: string }[] }; functions?: unknown };
      const last = [...payload.message.text].reverse().find((m) => m.role === 'user')?.content ?? '';
      const usage = { question_tokens: 4, prompt_tokens: opts.promptTokens ?? 10, completion_tokens: opts.completionTokens ?? 5, total_tokens: (opts.promptTokens ?? 10) + (opts.completionTokens ?? 5) };
      const out = (status: number, text: Record<string, unknown>[], seq: number) => ({
        header: { code: 0, message: 'Success', sid, status },
        payload: { choices: { status, seq, text }, ...(status === 2 ? { usage: { text: usage } } : {}) },
      });
      const frames: Record<string, unknown>[] = [];
      if (payload.functions !== undefined && /weather/i.test(last)) {
        frames.push(out(0, [{ content: '', role: 'assistant', index: 0, content_type: 'text', function_call: { name: 'get_weather', arguments: '{"city":"Paris"}' } }], 0));
        frames.push(out(2, [{ content: '', role: 'assistant', index: 0, content_type: 'text', function_call: { name: 'get_time', arguments: '{"tz":"UTC"}' } }], 1));
      } else {
        const n = last.includes('[slow]') ? 100 : 5;
        for (let i = 0; i < n; i++) frames.push(out(i === 0 ? 0 : i === n - 1 ? 2 : 1, [{ content: `tok${i} `, role: 'assistant', index: 0 }], i));
      }
      const cut = last.includes('[cut]');
      for (const [i, f] of frames.entries()) {
        if (done || socket.destroyed) return;
        if (last.includes('[stall]') && i === 2) return;
        if (cut && i === 2) {
          if (record) record.closedAt = Date.now();
          done = true;
          socket.destroy();
          return;
        }
        send(f);
        if (last.includes('[slow]')) await new Promise((r) => setTimeout(r, 50));
      }
      done = true;
      // Spark closes the socket after the last frame.
      if (socket.writable) socket.end(frame(0x8, Buffer.from([0x03, 0xe8])));
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    refused,
    async waitFor(predicate, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error('fake Spark: condition not met in time');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
