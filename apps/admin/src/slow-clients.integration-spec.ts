/**
 * Issue #12, socket timeouts: clients that send their headers or body a byte at a time are
 * closed on HTTP_HEADERS_TIMEOUT / HTTP_BODY_TIMEOUT, promptly, while normal traffic keeps its latency.
 */
import type { AddressInfo } from 'node:net';
import { startSlowClients } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness } from './testing/admin-harness';

const HEADERS_S = 2;
const BODY_S = 3;

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

describe('admin: slow clients (POST /api/user/login, GET /api/status)', () => {
  let h: AdminHarness;
  let port: number;

  beforeAll(async () => {
    h = await startAdminHarness('sqlite', { HTTP_HEADERS_TIMEOUT: String(HEADERS_S), HTTP_BODY_TIMEOUT: String(BODY_S) });
    port = (h.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('300 slow-header and 50 slow-body sockets are closed within the timeouts while normal traffic p99 stays under 500 ms', async () => {
    const loginHead = (length: number) => `POST /api/user/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    const giveUpMs = 12_000;
    const headers = await startSlowClients(port, 300, { trickle: loginHead(100), everyMs: 5_000, giveUpMs });
    const bodies = await startSlowClients(port, 50, { head: loginHead(10_000), trickle: 'x'.repeat(10_000), everyMs: 1_000, giveUpMs });

    const all = Promise.all([headers.closed, bodies.closed]);
    let done = false;
    void all.finally(() => (done = true));
    const latencies: number[] = [];
    const worker = async () => {
      while (!done) {
        const t = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/user/self`, { headers: { Authorization: h.root.accessToken } });
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        expect(res.status).toBe(200);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const [headerClosed, bodyClosed] = await all;

    expect(Math.min(...headerClosed)).toBeGreaterThanOrEqual(HEADERS_S * 1000 - 100);
    expect(Math.max(...headerClosed)).toBeLessThan(HEADERS_S * 1000 + 1_500);
    expect(Math.min(...bodyClosed)).toBeGreaterThanOrEqual(BODY_S * 1000 - 100);
    expect(Math.max(...bodyClosed)).toBeLessThan(BODY_S * 1000 + 1_500);
    expect(latencies.length).toBeGreaterThan(50);
    expect(p99(latencies)).toBeLessThan(500);
    headers.destroy();
    bodies.destroy();
  });
});
