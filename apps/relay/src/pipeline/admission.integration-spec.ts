/**
 * Issue #12, admission: per-user and per-token concurrency caps answered at once with 429
 * `concurrency_limit_exceeded` + Retry-After (no queue, nothing reserved, nothing sent upstream),
 * counted across relay replicas through Redis leases, and per process while Redis is away; the
 * per-process in-flight cap answers 503 `server_busy`.
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadTestEnv } from '@oneapi/config';
import { peakInFlight, startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { openStream, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

async function post(h: RelayHarness, key: string, model: string, stream: boolean) {
  const res = await fetch(`${h.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 20, stream }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  const code = res.status === 200 ? null : (JSON.parse(text) as { error: { code: string } }).error.code;
  return { status: res.status, code, retryAfter: res.headers.get('retry-after') };
}

/**
 * Holds every settlement of `h` until the returned `release()`, so a test can tell slots freed at
 * a stream's end from slots freed once its settlement is written. `started` counts settlements begun.
 */
function holdSettlements(h: RelayHarness) {
  const quota = h.services.quota;
  const settle = quota.settle.bind(quota);
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  const state = { started: 0 };
  quota.settle = async (...args: Parameters<typeof settle>) => {
    state.started++;
    await gate;
    return settle(...args);
  };
  return {
    state,
    release: () => {
      quota.settle = settle;
      open();
    },
  };
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met');
}

describe('admission: concurrency caps', () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake?.close();
  });

  describe('one relay (embedded)', () => {
    let h: RelayHarness;
    beforeAll(async () => {
      h = await startRelayHarness('sqlite', { RELAY_MAX_IN_FLIGHT: '5000' });
      await h.createChannel({ baseUrl: fake.url, models: ['cap-stall-1', 'cap-chunks-10-delay-100', 'cap'] });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('1,000 concurrent streams from one user against a cap of 50: 50 admitted, the rest 429 at once with Retry-After', async () => {
      await h.setOption('UserConcurrencyLimit', '50');
      const userId = await h.createUser({ quota: 1_000_000_000 });
      const key = await h.createToken({ userId });
      const before = fake.requests.length;
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const rssBefore = process.memoryUsage().rss;
      // Streams that stall after their first chunk: all 1,000 arrive while the admitted ones run.
      const results = await Promise.all(Array.from({ length: 1000 }, () => openStream(h, key, 'cap-stall-1')));
      lag.disable();
      const admitted = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status !== 200);
      expect(admitted).toHaveLength(50);
      expect(refused).toHaveLength(950);
      for (const r of refused) expect({ status: r.status, code: r.code, retryAfter: r.retryAfter }).toEqual({ status: 429, code: 'concurrency_limit_exceeded', retryAfter: '1' });
      for (const r of admitted) r.abort();
      await fake.waitFor(() => fake.requests.slice(before).every((r) => r.closedAt !== undefined), 10_000);
      const upstream = fake.requests.slice(before);
      expect(upstream).toHaveLength(50);
      expect(peakInFlight(upstream)).toBeLessThanOrEqual(50);
      // Bounded: the refusals cost no upstream work and no queue.
      expect(lag.max / 1e6).toBeLessThan(1_000);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
      // Nothing was reserved for the refused ones; the slots are free again.
      await h.flush();
      expect(await h.sql('SELECT request_id FROM reservations WHERE user_id = ?', [userId])).toHaveLength(0);
      expect(await h.drift()).toEqual([]);
      expect((await post(h, key, 'cap', false)).status).toBe(200);
      await h.setOption('UserConcurrencyLimit', '0');
    });

    it('a stream gives its slot back at its last byte, before its settlement is written: with a cap of 1 the next request is admitted', async () => {
      await h.setOption('UserConcurrencyLimit', '1');
      const userId = await h.createUser();
      const key = await h.createToken({ userId });
      const held = holdSettlements(h);
      try {
        expect((await post(h, key, 'cap-chunks-10-delay-100', true)).status).toBe(200);
        // The stream's settlement has begun and is held: its row is not written yet.
        await until(() => held.state.started === 1);
        expect((await post(h, key, 'cap', false)).status).toBe(200);
      } finally {
        held.release();
        await h.setOption('UserConcurrencyLimit', '0');
      }
      await h.flush();
      expect(await h.drift()).toEqual([]);
    });

    it('a token cap holds for that token only', async () => {
      await h.setOption('TokenConcurrencyLimit', '2');
      const userId = await h.createUser();
      const a = await h.createToken({ userId });
      const b = await h.createToken({ userId });
      const results = await Promise.all([...Array.from({ length: 5 }, () => post(h, a, 'cap-chunks-10-delay-100', true)), post(h, b, 'cap', false)]);
      expect(results.slice(0, 5).filter((r) => r.status === 200)).toHaveLength(2);
      expect(results[5].status).toBe(200);
      await h.setOption('TokenConcurrencyLimit', '0');
    });
  });

  describe('two relays sharing Redis', () => {
    let a: RelayHarness;
    let b: RelayHarness;
    beforeAll(async () => {
      const env = { REDIS_CONN_STRING: loadTestEnv().redisUrl };
      a = await startRelayHarness('sqlite', env, { redisProxy: true });
      b = await startRelayHarness('sqlite', env, { db: a.db });
      // Lease keys carry database ids: other suites on this Redis must not share them.
      const prefix = `test-${randomBytes(4).toString('hex')}:`;
      a.services.admission.keyPrefix = prefix;
      b.services.admission.keyPrefix = prefix;
      await a.createChannel({ baseUrl: fake.url, models: ['cap-chunks-10-delay-100'] });
      await a.setOption('TokenConcurrencyLimit', '10');
      await b.refresh();
    });
    afterAll(async () => {
      await b?.setOption('TokenConcurrencyLimit', '0');
      await b?.close();
      await a?.close();
    });

    it('a token cap of 10 holds across both relays together', async () => {
      const userId = await a.createUser();
      const key = await a.createToken({ userId });
      await b.refresh();
      const before = fake.requests.length;
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 ? a : b, key, 'cap-chunks-10-delay-100', true)));
      expect(results.filter((r) => r.status === 200)).toHaveLength(10);
      expect(peakInFlight(fake.requests.slice(before))).toBeLessThanOrEqual(10);
    });

    it('with a channel capacity too, the stream frees the caller slot and the channel seat together at its end (cap 1 each)', async () => {
      const channelId = await a.createChannel({ baseUrl: fake.url, models: ['capend-chunks-10-delay-100'] });
      await a.sql('UPDATE channels SET max_concurrency = 1, rpm = 1000, tpm = 1000000 WHERE id = ?', [channelId]);
      await a.setOption('UserConcurrencyLimit', '1');
      await a.refresh();
      await b.refresh();
      const userId = await a.createUser();
      const key = await a.createToken({ userId });
      const held = holdSettlements(a);
      try {
        expect((await post(a, key, 'capend-chunks-10-delay-100', true)).status).toBe(200);
        await until(() => held.state.started === 1);
        // The other relay sees both slots free in Redis.
        expect((await post(b, key, 'capend-chunks-10-delay-100', false)).status).toBe(200);
      } finally {
        held.release();
        await a.setOption('UserConcurrencyLimit', '0');
        await a.sql('UPDATE channels SET status = 2 WHERE id = ?', [channelId]);
        await a.refresh();
        await b.refresh();
      }
    });

    it('with Redis away each relay still enforces the cap on its own, at once', async () => {
      const userId = await a.createUser();
      const key = await a.createToken({ userId });
      await a.redisProxy?.cut('hang');
      try {
        const started = performance.now();
        const results = await Promise.all(Array.from({ length: 20 }, () => post(a, key, 'cap-chunks-10-delay-100', true)));
        expect(results.filter((r) => r.status === 200)).toHaveLength(10);
        expect(results.filter((r) => r.status === 429)).toHaveLength(10);
        // Not a Redis timeout per request: the whole burst is over in about the stream's length.
        expect(performance.now() - started).toBeLessThan(5_000);
      } finally {
        await a.redisProxy?.restore();
      }
    });
  });
});
