/**
 * Issue #12, per-channel capacity: max concurrent requests, RPM and TPM per channel (0 =
 * unlimited). Routing skips a channel at capacity like a cooling one (same tier first, then lower
 * tiers, counting as no attempt against RetryTimes); only when every channel of the model is full
 * does the caller get 503 `channel_capacity_exceeded` with Retry-After, before anything is
 * reserved. Counted in Redis across relays in distributed mode, in memory otherwise.
 */
import { randomBytes } from 'node:crypto';
import { availableDbKinds, peakInFlight, startFakeOpenAI, type FakeUpstream, type FakeUpstreamRequest } from '@oneapi/testing';
import { loadTestEnv } from '@oneapi/config';
import { openStream, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

interface Answer {
  status: number;
  code: string | null;
  retryAfter: string | null;
}

async function post(h: RelayHarness, key: string, model: string, body: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${h.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20, ...body }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  const code = res.status === 200 ? null : (JSON.parse(text) as { error: { code: string } }).error.code;
  return { status: res.status, code, retryAfter: res.headers.get('retry-after') };
}

async function setCapacity(h: RelayHarness, channelId: number, c: { maxConcurrency?: number; rpm?: number; tpm?: number }): Promise<void> {
  await h.sql('UPDATE channels SET max_concurrency = ?, rpm = ?, tpm = ? WHERE id = ?', [c.maxConcurrency ?? 0, c.rpm ?? 0, c.tpm ?? 0, channelId]);
}

/** Which channel key each upstream request carried. */
const keysOf = (requests: FakeUpstreamRequest[]) => requests.map((r) => String(r.headers.authorization).replace('Bearer ', ''));

const FULL = { status: 503, code: 'channel_capacity_exceeded' };

describe('channel capacity', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake?.close();
  });

  describe('two relays sharing MariaDB and Redis', () => {
    let a: RelayHarness;
    let b: RelayHarness;
    let channelId: number;
    const prefix = `channel-${randomBytes(6).toString('hex')}`;
    beforeAll(async () => {
      const kind = (await availableDbKinds()).includes('mysql') ? 'mysql' : 'sqlite';
      const env = { REDIS_CONN_STRING: loadTestEnv().redisUrl };
      a = await startRelayHarness(kind, env);
      b = await startRelayHarness(kind, env, { db: a.db });
      // Fresh databases number their channels from 1: keep this run's Redis counts apart.
      a.services.capacity.keyPrefix = prefix;
      b.services.capacity.keyPrefix = prefix;
      channelId = await a.createChannel({ baseUrl: fake.url, models: ['cc-stall-1', 'cc-chunks-10-delay-100'] });
      await setCapacity(a, channelId, { maxConcurrency: 10 });
      await a.refresh();
      await b.refresh();
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('a channel capacity of 10 holds across both relays together, counted at the upstream', async () => {
      const userId = await a.createUser();
      const key = await a.createToken({ userId });
      let before = fake.requests.length;
      // Streams that stall after their first chunk hold their slot until the client leaves.
      const held = await Promise.all(Array.from({ length: 30 }, (_, i) => openStream(i % 2 ? a : b, key, 'cc-stall-1')));
      expect(held.filter((r) => r.status === 200)).toHaveLength(10);
      for (const r of held.filter((x) => x.status !== 200)) expect(r).toMatchObject({ ...FULL, retryAfter: '1' });
      expect(fake.requests.length - before).toBe(10);
      // Refused before admission: only the 10 streams hold reservations.
      expect(await a.sql('SELECT request_id FROM reservations WHERE user_id = ?', [userId])).toHaveLength(10);
      for (const r of held) r.abort();
      await fake.waitFor(() => fake.requests.slice(before).every((r) => r.closedAt !== undefined), 10_000);
      expect(peakInFlight(fake.requests.slice(before))).toBe(10);
      // A stream's slot is freed once the relay has settled it: wait for the 10 leases to go.
      const leases = `oneapi:lease:${prefix}:${channelId}`;
      await until(async () => (await a.runtime.redis?.zcard(leases)) === 0);

      // Streams that end on their own: slots change hands between the relays as they finish.
      before = fake.requests.length;
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 ? a : b, key, 'cc-chunks-10-delay-100', { stream: true })));
      const ok = results.filter((r) => r.status === 200);
      expect(ok.length).toBeGreaterThanOrEqual(10);
      for (const r of results.filter((x) => x.status !== 200)) expect(r).toMatchObject({ ...FULL, retryAfter: '1' });
      await fake.waitFor(() => fake.requests.slice(before).every((r) => r.closedAt !== undefined), 10_000);
      expect(fake.requests.length - before).toBe(ok.length);
      expect(peakInFlight(fake.requests.slice(before))).toBeLessThanOrEqual(10);

      await a.flush();
      await b.flush();
      expect(await a.sql('SELECT request_id FROM reservations WHERE user_id = ?', [userId])).toHaveLength(0);
      expect(await a.drift()).toEqual([]);
    });
  });

  describe('routing around full channels', () => {
    let h: RelayHarness;
    const ids: Record<'a' | 'b' | 'c', number> = { a: 0, b: 0, c: 0 };
    beforeAll(async () => {
      h = await startRelayHarness('sqlite');
      // Two channels in the top tier, one below; each serves one request at a time.
      ids.a = await h.createChannel({ baseUrl: fake.url, key: 'sk-a', priority: 10, models: ['rt-stall-1', 'rt', 'rt-status-500', 'rt-latency-2000'] });
      ids.b = await h.createChannel({ baseUrl: fake.url, key: 'sk-b', priority: 10, models: ['rt-stall-1', 'rt', 'rt-status-500', 'rt-latency-2000'] });
      ids.c = await h.createChannel({ baseUrl: fake.url, key: 'sk-c', priority: 0, models: ['rt-stall-1', 'rt', 'rt-status-500', 'rt-latency-2000'] });
      for (const id of Object.values(ids)) await setCapacity(h, id, { maxConcurrency: 1 });
      // Skipping a full channel is no attempt: it works with no retries at all.
      await h.setOption('RetryTimes', '0');
      await h.refresh();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('a full channel is skipped for the other of its tier, then the next tier; all full → 503 with Retry-After and nothing reserved', async () => {
      const userId = await h.createUser({ quota: 5_000_000 });
      const key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 2_000_000 });
      const before = fake.requests.length;
      const streams = [];
      for (let i = 0; i < 3; i++) streams.push(await openStream(h, key, 'rt-stall-1'));
      expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
      const used = keysOf(fake.requests.slice(before));
      expect(used.slice(0, 2).sort()).toEqual(['sk-a', 'sk-b']);
      expect(used[2]).toBe('sk-c');

      const [quota] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [userId]);
      const refused = await openStream(h, key, 'rt-stall-1');
      expect(refused).toMatchObject({ ...FULL, retryAfter: '1' });
      expect(fake.requests.length - before).toBe(3);
      expect(await h.sql('SELECT request_id FROM reservations WHERE user_id = ?', [userId])).toHaveLength(3);
      expect(await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [userId])).toEqual([quota]);

      for (const s of streams) s.abort();
      await fake.waitFor(() => fake.requests.slice(before).every((r) => r.closedAt !== undefined), 10_000);
      // The slots are free again once the streams ended: the top tier serves.
      const after = fake.requests.length;
      await retryUntil200(() => post(h, key, 'rt'));
      expect(['sk-a', 'sk-b']).toContain(keysOf(fake.requests.slice(after)).at(-1));
      await h.flush();
      expect(await h.sql('SELECT request_id FROM reservations WHERE user_id = ?', [userId])).toHaveLength(0);
      expect(await h.drift()).toEqual([]);
    });

    it('an attempt that fails, or whose client leaves before the reply, gives its slot back', async () => {
      const userId = await h.createUser();
      const key = await h.createToken({ userId });
      // Every channel answers 500 (RetryTimes 0: one attempt), then the first reply is 2 s late and its client leaves.
      for (let i = 0; i < 3; i++) expect((await post(h, key, 'rt-status-500')).status).toBeGreaterThanOrEqual(500);
      const late = new AbortController();
      const gone = fetch(`${h.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'rt-latency-2000', messages: [{ role: 'user', content: 'hi' }] }),
        signal: late.signal,
      }).catch(() => undefined);
      const isLate = (r: FakeUpstreamRequest) => (r.body as { model?: string } | undefined)?.model === 'rt-latency-2000';
      await fake.waitFor(() => fake.requests.some(isLate));
      late.abort();
      await gone;
      await fake.waitFor(() => fake.requests.filter(isLate).every((r) => r.closedAt !== undefined));
      // All three slots are free again (the relay frees the last one as it sees the client go):
      // three streams at once are admitted.
      const deadline = Date.now() + 5_000;
      for (;;) {
        const streams = await Promise.all([0, 1, 2].map(() => openStream(h, key, 'rt-stall-1')));
        for (const s of streams) s.abort();
        const statuses = streams.map((s) => s.status);
        if (statuses.every((x) => x === 200) || Date.now() > deadline) {
          expect(statuses).toEqual([200, 200, 200]);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await fake.waitFor(() => fake.requests.every((r) => r.closedAt !== undefined));
    });

    it('a pinned channel at capacity answers 503 (no other channel is tried)', async () => {
      const admin = await h.createUser({ role: 10 });
      const key = await h.createToken({ userId: admin });
      // The previous test's streams free their slots once their settlement is written.
      const stream = await retryUntil200(() => openStream(h, `${key}-${ids.c}`, 'rt-stall-1'));
      try {
        expect(await post(h, `${key}-${ids.c}`, 'rt')).toMatchObject({ ...FULL, retryAfter: '1' });
        expect((await post(h, key, 'rt')).status).toBe(200);
      } finally {
        stream.abort();
      }
    });
  });

  describe('with Redis away', () => {
    let h: RelayHarness;
    const prefix = `channel-${randomBytes(6).toString('hex')}`;
    beforeAll(async () => {
      // Distributed mode through a hop the test can cut (REDIS_CONN_STRING in env would bypass it).
      h = await startRelayHarness('sqlite', {}, { redisProxy: true });
      h.services.capacity.keyPrefix = prefix;
    });
    afterAll(async () => {
      await h?.close();
    });

    it('each relay counts the channel on its own, at once', async () => {
      const id = await h.createChannel({ baseUrl: fake.url, models: ['away-stall-1', 'away'] });
      await setCapacity(h, id, { maxConcurrency: 2, rpm: 100 });
      await h.refresh();
      const userId = await h.createUser();
      const key = await h.createToken({ userId });
      expect((await post(h, key, 'away')).status).toBe(200);
      expect(await h.runtime.redis?.exists(`oneapi:window:${prefix}:${id}:rpm`)).toBe(1);
      await h.redisProxy?.cut('hang');
      try {
        const started = performance.now();
        const streams = await Promise.all(Array.from({ length: 5 }, () => openStream(h, key, 'away-stall-1')));
        expect(streams.filter((s) => s.status === 200)).toHaveLength(2);
        for (const s of streams.filter((x) => x.status !== 200)) expect(s).toMatchObject({ ...FULL, retryAfter: '1' });
        // One Redis timeout at most, not one per request.
        expect(performance.now() - started).toBeLessThan(2_000);
        for (const s of streams) s.abort();
      } finally {
        await h.redisProxy?.restore();
      }
    });
  });

  describe.each(['memory', 'redis'] as const)('RPM and TPM on one relay (%s)', (store) => {
    let h: RelayHarness;
    let prefix: string;
    beforeAll(async () => {
      h = await startRelayHarness('sqlite', store === 'redis' ? { REDIS_CONN_STRING: loadTestEnv().redisUrl } : {});
      prefix = `channel-${randomBytes(6).toString('hex')}`;
      h.services.capacity.keyPrefix = prefix;
    });
    afterAll(async () => {
      await h?.close();
    });

    it('RPM: the 4th request in a minute at rpm 3 goes to the next channel, or is refused with the seconds until the budget refills', async () => {
      const r = await h.createChannel({ baseUrl: fake.url, key: 'sk-rpm', priority: 10, models: ['rpm-alone', 'rpm-shared'] });
      await h.createChannel({ baseUrl: fake.url, key: 'sk-spare', priority: 0, models: ['rpm-shared'] });
      await setCapacity(h, r, { rpm: 3 });
      await h.refresh();
      const userId = await h.createUser();
      const key = await h.createToken({ userId });
      const before = fake.requests.length;
      for (let i = 0; i < 3; i++) expect((await post(h, key, 'rpm-alone')).status).toBe(200);
      const refused = await post(h, key, 'rpm-alone');
      expect(refused).toMatchObject(FULL);
      // One request's worth of the budget refills every 20 s.
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(15);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(20);
      // The same channel's budget covers every model it serves; the spare channel takes over.
      expect((await post(h, key, 'rpm-shared')).status).toBe(200);
      expect(keysOf(fake.requests.slice(before))).toEqual(['sk-rpm', 'sk-rpm', 'sk-rpm', 'sk-spare']);
      if (store === 'redis') expect(await h.runtime.redis?.exists(`oneapi:window:${prefix}:${r}:rpm`)).toBe(1);
      await h.flush();
      expect(await h.drift()).toEqual([]);
    });

    it('TPM: charged prompt + max_tokens when sent, corrected to the billed tokens when the attempt ends', async () => {
      const t = await h.createChannel({ baseUrl: fake.url, key: 'sk-tpm', models: ['tpm'] });
      await setCapacity(h, t, { tpm: 1000 });
      await h.refresh();
      const userId = await h.createUser();
      const key = await h.createToken({ userId });
      // Each request is estimated at ~410 tokens and billed 15 (the fake's usage): uncorrected,
      // the third would not fit in 1000.
      for (let i = 0; i < 5; i++) expect((await post(h, key, 'tpm', { max_tokens: 400 })).status).toBe(200);
      // ~75 used: a request estimated near the whole budget waits for them to refill (~4.5 s).
      const refused = await post(h, key, 'tpm', { max_tokens: 990 });
      expect(refused).toMatchObject(FULL);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(6);
      // A refused request took nothing: one that fits still passes.
      expect((await post(h, key, 'tpm', { max_tokens: 400 })).status).toBe(200);
      if (store === 'redis') expect(await h.runtime.redis?.exists(`oneapi:window:${prefix}:${t}:tpm`)).toBe(1);
      await h.flush();
      expect(await h.drift()).toEqual([]);
    });
  });
});

/** Retries a request until it answers 200 (a stream's slot frees once the relay has settled it). */
async function retryUntil200<T extends Answer>(send: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await send();
    if (r.status === 200) return r;
    if (Date.now() > deadline) throw new Error(`still ${r.status} ${r.code} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls until `check` holds (no sleeps to wait for state). */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
