/**
 * Issue #12, socket timeouts: clients that send their headers or body a byte at a time are
 * closed on the configured timeouts (HTTP_HEADERS_TIMEOUT, HTTP_BODY_TIMEOUT, and the longer
 * HTTP_UPLOAD_TIMEOUT for audio uploads), promptly, while normal traffic keeps its latency.
 */
import { startFakeOpenAI, startSlowClients, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from './testing/relay-test-harness';

const HEADERS_S = 2;
const BODY_S = 3;
const UPLOAD_S = 6;

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

/** Sequential-ish normal requests (4 at a time) until `until` resolves: their latencies in ms. */
async function normalTraffic(send: () => Promise<number>, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const latencies: number[] = [];
  const worker = async () => {
    while (!done) {
      const t = performance.now();
      const status = await send();
      latencies.push(performance.now() - t);
      expect(status).toBe(200);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return latencies;
}

describe('relay: slow clients (POST /v1/chat/completions, POST /v1/audio/transcriptions)', () => {
  let h: RelayHarness;
  let fake: FakeUpstream;
  let key: string;
  let port: number;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    h = await startRelayHarness('sqlite', { HTTP_HEADERS_TIMEOUT: String(HEADERS_S), HTTP_BODY_TIMEOUT: String(BODY_S), HTTP_UPLOAD_TIMEOUT: String(UPLOAD_S) });
    await h.createChannel({ baseUrl: fake.url, models: ['slow-model', 'whisper-1'] });
    key = await h.createToken({ userId: await h.createUser() });
    port = Number(new URL(h.url).port);
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('300 slow-header and 50 slow-body sockets are closed within the timeouts while normal traffic p99 stays under 500 ms', async () => {
    const chatHead = (length: number) =>
      `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    const uploadHead = (length: number) =>
      `POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: ${length}\r\n\r\n`;
    const giveUpMs = 12_000;
    // Headers one byte every 5 s; bodies one byte a second (never idle long enough for an idle timeout to explain the close).
    const headers = await startSlowClients(port, 300, { trickle: chatHead(100), everyMs: 5_000, giveUpMs });
    const bodies = await startSlowClients(port, 50, { head: chatHead(10_000), trickle: 'x'.repeat(10_000), everyMs: 1_000, giveUpMs });
    const uploads = await startSlowClients(port, 5, { head: uploadHead(10_000), trickle: 'x'.repeat(10_000), everyMs: 1_000, giveUpMs });

    const send = async () => {
      const res = await fetch(`${h.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
      });
      await res.arrayBuffer();
      return res.status;
    };
    const all = Promise.all([headers.closed, bodies.closed, uploads.closed]);
    const latencies = await normalTraffic(send, all);
    const [headerClosed, bodyClosed, uploadClosed] = await all;

    // Closed by the timeout (not before), and promptly after it (the server checks every ≤ 1 s).
    expect(Math.min(...headerClosed)).toBeGreaterThanOrEqual(HEADERS_S * 1000 - 100);
    expect(Math.max(...headerClosed)).toBeLessThan(HEADERS_S * 1000 + 1_500);
    expect(Math.min(...bodyClosed)).toBeGreaterThanOrEqual(BODY_S * 1000 - 100);
    expect(Math.max(...bodyClosed)).toBeLessThan(BODY_S * 1000 + 1_500);
    // Audio uploads get the longer body timeout.
    expect(Math.min(...uploadClosed)).toBeGreaterThanOrEqual(UPLOAD_S * 1000 - 100);
    expect(Math.max(...uploadClosed)).toBeLessThan(UPLOAD_S * 1000 + 1_500);

    expect(latencies.length).toBeGreaterThan(50);
    expect(p99(latencies)).toBeLessThan(500);
    headers.destroy();
    bodies.destroy();
    uploads.destroy();
  });

  it('a keep-alive connection stays usable for requests sent in time', async () => {
    const res1 = await fetch(`${h.url}/healthz`);
    const res2 = await fetch(`${h.url}/healthz`);
    expect([res1.status, res2.status]).toEqual([200, 200]);
  });
});
