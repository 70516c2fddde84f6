/**
 * Issue #9, stream faults (SPEC 13 "Streams end properly"): backpressure, the SSE line cap,
 * malformed upstream events, idle/total timeouts and resets, streamed text-to-speech. Public
 * HTTP surface only (node:http, fetch, the openai SDK), SQLite only (these are heavy).
 */
import { request as httpRequest } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import OpenAI from 'openai';
import { startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/** A stream test that goes wrong fails at this deadline rather than hanging. */
const DEADLINE_MS = 15_000;
const TEST_TIMEOUT_MS = 30_000;

interface RawResult {
  status: number;
  /** The body text (only its last `keepTail` characters when that is set). */
  text: string;
  /** Body bytes received. */
  bytes: number;
  /** The client gave up at the deadline. */
  timedOut: boolean;
  /** The connection broke before the body ended. */
  error?: string;
}

interface RawOptions {
  /** Path under /v1 (default chat/completions). */
  path?: string;
  deadlineMs?: number;
  /** Do not read the response at all for this long after it starts. */
  startDelayMs?: number;
  /** Read the first body chunk, then stop reading for this long. */
  pauseAfterFirstMs?: number;
  /** Keep only the last N characters (large bodies whose middle does not matter). */
  keepTail?: number;
}

/** A streamed request over a raw node:http socket, read the way a slow client reads it. */
function rawStream(h: RelayHarness, key: string, body: unknown, o: RawOptions = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const url = new URL(`${h.baseURL}/${o.path ?? 'chat/completions'}`);
    const payload = JSON.stringify(body);
    let text = '';
    let bytes = 0;
    let status = 0;
    let settled = false;
    const finish = (extra: Partial<RawResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, text, bytes, timedOut: false, ...extra });
    };
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    const timer = setTimeout(() => {
      finish({ timedOut: true });
      req.destroy();
    }, o.deadlineMs ?? DEADLINE_MS);
    req.on('error', (e) => finish({ error: e.message }));
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      const decoder = new StringDecoder('utf8');
      let paused = false;
      const onData = (c: Buffer) => {
        bytes += c.length;
        text += decoder.write(c);
        if (o.keepTail && text.length > 2 * o.keepTail) text = text.slice(-o.keepTail);
        if (o.pauseAfterFirstMs && !paused) {
          paused = true;
          res.pause();
          setTimeout(() => res.resume(), o.pauseAfterFirstMs);
        }
      };
      const start = () => {
        res.on('data', onData);
        res.on('end', () => {
          text += decoder.end();
          finish({});
        });
        res.on('error', (e) => finish({ error: e.message }));
        res.on('close', () => finish({ error: res.complete ? undefined : 'connection closed before the body ended' }));
      };
      if (o.startDelayMs) setTimeout(start, o.startDelayMs);
      else start();
    });
    req.end(payload);
  });
}

/** The `data:` payloads of an SSE text, in order (a partial first event of a tail is skipped). */
function sseData(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n\n')
    .map((e) => e.split('\n').find((l) => l.startsWith('data:')))
    .filter((l): l is string => l !== undefined)
    .map((l) => l.slice(5).trimStart());
}

interface StreamSummary {
  /** Chunks with non-empty `choices[0].delta.content`. */
  contentChunks: number;
  content: string;
  /** The last payload is `[DONE]`. */
  done: boolean;
  /** `error` of an `{"error": ...}` event, if any. */
  error?: { message?: unknown; type?: unknown; code?: unknown };
  /** Index of the error event counted from the end (1 = just before the last payload). */
  errorFromEnd?: number;
  unparsable: string[];
}

function summarize(text: string): StreamSummary {
  const data = sseData(text);
  const s: StreamSummary = { contentChunks: 0, content: '', done: data.at(-1) === '[DONE]', unparsable: [] };
  data.forEach((d, i) => {
    if (d === '[DONE]') return;
    let o: { choices?: Array<{ delta?: { content?: unknown } }>; error?: StreamSummary['error'] };
    try {
      o = JSON.parse(d) as typeof o;
    } catch {
      s.unparsable.push(d.slice(0, 80));
      return;
    }
    if (o.error) {
      s.error = o.error;
      s.errorFromEnd = data.length - 1 - i;
    }
    const c = o.choices?.[0]?.delta?.content;
    if (typeof c === 'string' && c !== '') {
      s.contentChunks++;
      s.content += c;
    }
  });
  return s;
}

/** What the fake streams for `chunks-N-pad-P`. */
function expectedContent(chunks: number, pad?: number): string {
  return Array.from({ length: chunks }, (_, i) => (pad ? `tok${i} `.padEnd(pad, '.') : `tok${i} `)).join('');
}

const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'go' }], stream: true, ...extra });

/** The newest consume log row written after `afterId`. */
async function consumeLogAfter(h: RelayHarness, afterId: number) {
  return eventually(async () => {
    await h.flush();
    const rows = await h.sql<{ id: number; content: string; quota: number; completion_tokens: number }>(
      'SELECT id, content, quota, completion_tokens FROM logs WHERE type = 2 AND id > ? ORDER BY id DESC LIMIT 1',
      [afterId],
    );
    return rows[0];
  });
}

async function lastLogId(h: RelayHarness): Promise<number> {
  await h.flush();
  const [r] = await h.sql<{ id: number | null }>('SELECT MAX(id) AS id FROM logs');
  return Number(r?.id ?? 0);
}

/** Asserts the SSE ending of SPEC 13: an OpenAI-shaped error event with `code`, then `data: [DONE]`. */
/** The consume log row written after `afterId` bills what was delivered and names the end `reason`. */
async function expectBilledAndLogged(h: RelayHarness, afterId: number, reason: string) {
  const log = await consumeLogAfter(h, afterId);
  expect(Number(log.quota)).toBeGreaterThan(0);
  expect(Number(log.completion_tokens)).toBeGreaterThan(0);
  expect(log.content).toContain(reason);
}

function expectErrorEnding(r: RawResult, code: string) {
  const s = summarize(r.text);
  expect({ status: r.status, timedOut: r.timedOut, done: s.done, errorFromEnd: s.errorFromEnd, code: s.error?.code }).toEqual({
    status: 200,
    timedOut: false,
    done: true,
    errorFromEnd: 1,
    code,
  });
  expect(typeof s.error?.message).toBe('string');
  expect(typeof s.error?.type).toBe('string');
  return s;
}

describe('relay stream faults (issue #9)', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake?.close();
  });

  describe('backpressure, malformed events and streamed speech (default timeouts)', () => {
    let h: RelayHarness;
    let key: string;
    const models = {
      fast2mb: 'bp-chunks-2000-pad-1000',
      oneMiB: 'bp-chunks-3-longline-1048576',
      late: 'bp-chunks-400-pad-2500',
      malformed: 'bad-chunks-6-malformed',
      tts: 'tts-chunks-5-delay-300',
    };

    beforeAll(async () => {
      h = await startRelayHarness('sqlite');
      const userId = await h.createUser({ quota: 1_000_000_000 });
      key = await h.createToken({ userId });
      await h.createChannel({ baseUrl: fake.url, models: Object.values(models) });
    });
    afterAll(async () => {
      await h?.close();
    });

    it(
      'a fast ~2 MB upstream and a client that stops reading for 2 s: every content chunk and [DONE] arrive',
      async () => {
        const r = await rawStream(h, key, chat(models.fast2mb), { pauseAfterFirstMs: 2000 });
        const s = summarize(r.text);
        expect({ timedOut: r.timedOut, error: r.error, contentChunks: s.contentChunks, done: s.done }).toEqual({
          timedOut: false,
          error: undefined,
          contentChunks: 2000,
          done: true,
        });
        // Every byte, in order: the fake wrote exactly these 2000 pieces.
        expect(s.content).toBe(expectedContent(2000, 1000));
        expect(fake.requestsTo('/chat/completions').at(-1)?.completed).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a single 1 MiB SSE event arrives whole, followed by the rest of the stream and [DONE]',
      async () => {
        const r = await rawStream(h, key, chat(models.oneMiB));
        const s = summarize(r.text);
        expect({ timedOut: r.timedOut, error: r.error, contentChunks: s.contentChunks, done: s.done, unparsable: s.unparsable.length }).toEqual({
          timedOut: false,
          error: undefined,
          contentChunks: 3,
          done: true,
          unparsable: 0,
        });
        expect(s.content).toBe(`${'x'.repeat(1048576)}tok1 tok2 `);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a client that starts reading 2 s late still gets the whole stream',
      async () => {
        const r = await rawStream(h, key, chat(models.late), { startDelayMs: 2000 });
        const s = summarize(r.text);
        expect({ timedOut: r.timedOut, error: r.error, contentChunks: s.contentChunks, done: s.done }).toEqual({
          timedOut: false,
          error: undefined,
          contentChunks: 400,
          done: true,
        });
        expect(s.content).toBe(expectedContent(400, 2500));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'malformed upstream events are dropped: the openai SDK iterates to the end and sees only the good chunks',
      async () => {
        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0, timeout: DEADLINE_MS });
        const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
        let thrown: unknown;
        try {
          const stream = await client.chat.completions.create({ model: models.malformed, messages: [{ role: 'user', content: 'go' }], stream: true });
          for await (const c of stream) chunks.push(c);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeUndefined();
        // role chunk + 6 content chunks + finish chunk, nothing else.
        expect(chunks).toHaveLength(8);
        expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(expectedContent(6));
        expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'malformed upstream event text never reaches the raw response',
      async () => {
        const r = await rawStream(h, key, chat(models.malformed));
        expect(r.text).toContain('tok5 ');
        expect(r.text).not.toContain('not json');
        expect(r.text).not.toContain('{"choices": [');
        const s = summarize(r.text);
        expect(s.unparsable).toEqual([]);
        expect(s.done).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'text-to-speech (mp3) bytes reach the client while the upstream is still writing',
      async () => {
        const input = 'y'.repeat(5000);
        const res = await fetch(`${h.baseURL}/audio/speech`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: models.tts, voice: 'alloy', input }),
          signal: AbortSignal.timeout(DEADLINE_MS),
        });
        expect(res.status).toBe(200);
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const parts: Buffer[] = [];
        let firstByteAt = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value.length > 0 && firstByteAt === 0) firstByteAt = Date.now();
          parts.push(Buffer.from(value));
        }
        const audio = Buffer.concat(parts);
        expect(audio.equals(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(5000, 0xaa)]))).toBe(true);
        const writes = fake.requestsTo('/audio/speech').at(-1)?.writeTimes ?? [];
        expect(writes).toHaveLength(5);
        // The first audio bytes were in the client's hands before the upstream wrote its last piece.
        expect(firstByteAt).toBeLessThan(writes[4]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'text-to-speech with stream_format "sse": each speech.audio.delta event arrives before the upstream writes the next',
      async () => {
        const input = 'z'.repeat(4000);
        const res = await fetch(`${h.baseURL}/audio/speech`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: models.tts, voice: 'alloy', input, stream_format: 'sse' }),
          signal: AbortSignal.timeout(DEADLINE_MS),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        let buf = '';
        const events: { at: number; data: { type: string; audio?: string; usage?: unknown } }[] = [];
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buf.indexOf('\n\n')) !== -1) {
            const event = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const line = event.split('\n').find((l) => l.startsWith('data:'));
            if (line) events.push({ at: Date.now(), data: JSON.parse(line.slice(5)) as (typeof events)[number]['data'] });
          }
        }
        expect(events.map((e) => e.data.type)).toEqual([...Array(5).fill('speech.audio.delta'), 'speech.audio.done']);
        const audio = Buffer.concat(events.map((e) => Buffer.from(e.data.audio ?? '', 'base64')));
        expect(audio.equals(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(4000, 0xaa)]))).toBe(true);
        expect(events[5].data.usage).toEqual(expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) }));
        const writes = fake.requestsTo('/audio/speech').at(-1)?.writeTimes ?? [];
        expect(writes).toHaveLength(6);
        // Delta i reached the client before the upstream wrote delta i+1 (300 ms later; the done
        // event follows the last delta at once, so that pair is not compared).
        for (let i = 0; i < 4; i++) expect({ event: i, arrivedBeforeNextWrite: events[i].at < writes[i + 1] }).toEqual({ event: i, arrivedBeforeNextWrite: true });
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('idle timeout, upstream reset and the SSE line cap (RELAY_IDLE_TIMEOUT=1, RELAY_MAX_SSE_LINE_BYTES=1 MiB)', () => {
    let h: RelayHarness;
    let key: string;
    const models = { stall: 'idle-chunks-10-stall-3', reset: 'rst-chunks-10-reset-3', noeol: 'huge-noeol-20971520', warm: 'warm-chunks-3' };

    beforeAll(async () => {
      h = await startRelayHarness('sqlite', { RELAY_IDLE_TIMEOUT: '1', RELAY_MAX_SSE_LINE_BYTES: '1048576' });
      const userId = await h.createUser({ quota: 1_000_000_000 });
      key = await h.createToken({ userId });
      await h.createChannel({ baseUrl: fake.url, models: Object.values(models) });
    });
    afterAll(async () => {
      await h?.close();
    });

    it(
      'an upstream that stalls mid-stream past RELAY_IDLE_TIMEOUT: error event idle_timeout + [DONE], billed, logged with the reason',
      async () => {
        const before = await lastLogId(h);
        const r = await rawStream(h, key, chat(models.stall));
        const s = expectErrorEnding(r, 'idle_timeout');
        expect(s.content).toBe(expectedContent(3));
        await expectBilledAndLogged(h, before, 'idle_timeout');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'an upstream that resets the connection mid-stream: error event upstream_reset + [DONE], billed, logged with the reason',
      async () => {
        const before = await lastLogId(h);
        const r = await rawStream(h, key, chat(models.reset));
        const s = expectErrorEnding(r, 'upstream_reset');
        expect(s.content).toBe(expectedContent(3));
        await expectBilledAndLogged(h, before, 'upstream_reset');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a 20 MiB upstream line without a newline: error event line_too_long + [DONE], RSS grows < 50 MiB, /healthz answers < 100 ms throughout',
      async () => {
        // Warm every path first (JIT, route lookups), so the measurement holds only this stream.
        await rawStream(h, key, chat(models.warm));
        for (let i = 0; i < 3; i++) await fetch(`${h.url}/healthz`).then((r) => r.text());
        const before = await lastLogId(h);
        const rssBefore = process.memoryUsage().rss;
        let maxRss = rssBefore;
        const latencies: number[] = [];
        let streaming = true;
        const poller = (async () => {
          while (streaming) {
            const t0 = performance.now();
            const res = await fetch(`${h.url}/healthz`);
            await res.text();
            latencies.push(performance.now() - t0);
            maxRss = Math.max(maxRss, process.memoryUsage().rss);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })();
        const r = await rawStream(h, key, chat(models.noeol), { keepTail: 64 * 1024 });
        maxRss = Math.max(maxRss, process.memoryUsage().rss);
        streaming = false;
        await poller;

        const s = summarize(r.text);
        const rssGrowthMiB = Math.round((maxRss - rssBefore) / 1024 / 1024);
        const slowestHealthzMs = Math.round(Math.max(...latencies));
        // One object, so a failure shows every fact at once (and never prints megabytes of 'x').
        expect({
          status: r.status,
          timedOut: r.timedOut,
          bytesToClient: r.bytes < 1024 * 1024 ? 'under 1 MiB' : `${Math.round(r.bytes / 1024 / 1024)} MiB`,
          lineForwarded: r.text.includes('x'.repeat(1024)),
          errorCode: s.error?.code,
          errorFromEnd: s.errorFromEnd,
          done: s.done,
          rssGrowthUnder50MiB: rssGrowthMiB < 50 ? true : `${rssGrowthMiB} MiB`,
          healthzUnder100ms: latencies.length > 0 && slowestHealthzMs < 100 ? true : `${latencies.length} polls, slowest ${slowestHealthzMs} ms`,
        }).toEqual({
          status: 200,
          timedOut: false,
          bytesToClient: 'under 1 MiB',
          lineForwarded: false,
          errorCode: 'line_too_long',
          errorFromEnd: 1,
          done: true,
          rssGrowthUnder50MiB: true,
          healthzUnder100ms: true,
        });
        expect(typeof s.error?.message).toBe('string');
        expect(typeof s.error?.type).toBe('string');
        const log = await consumeLogAfter(h, before);
        expect(log.content).toContain('line_too_long');
      },
      TEST_TIMEOUT_MS,
    );
  });

  describe('total timeout (RELAY_TIMEOUT=2)', () => {
    let h: RelayHarness;
    let key: string;
    const model = 'slow-chunks-100-delay-100';

    beforeAll(async () => {
      h = await startRelayHarness('sqlite', { RELAY_TIMEOUT: '2' });
      const userId = await h.createUser({ quota: 1_000_000_000 });
      key = await h.createToken({ userId });
      await h.createChannel({ baseUrl: fake.url, models: [model] });
    });
    afterAll(async () => {
      await h?.close();
    });

    it(
      'a slow but steady stream that outlasts RELAY_TIMEOUT: error event total_timeout + [DONE], billed, logged with the reason',
      async () => {
        const before = await lastLogId(h);
        const r = await rawStream(h, key, chat(model));
        const s = expectErrorEnding(r, 'total_timeout');
        // About 20 of the 100 chunks fit in 2 s; some were delivered, not all.
        expect(s.contentChunks).toBeGreaterThan(0);
        expect(s.contentChunks).toBeLessThan(100);
        await expectBilledAndLogged(h, before, 'total_timeout');
      },
      TEST_TIMEOUT_MS,
    );
  });
});
