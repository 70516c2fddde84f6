/**
 * Issue #12 / SPEC 12: Redis paused (hanging) and stopped during relay traffic, with the rate
 * limits and the concurrency caps on so Redis is on every request's path. Requests keep being
 * served (limits counted per process meanwhile), p99 stays within the normal p99 + 600 ms, and
 * quota stays exact.
 */
import { availableDbKinds, startFakeOpenAI, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const CONCURRENCY = 8;
const PER_PHASE = 400;

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

describe('relay traffic while Redis hangs or is stopped (rate limits and concurrency caps on)', () => {
  let h: RelayHarness;
  let fake: FakeUpstream;
  let keys: string[];

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const kind = (await availableDbKinds()).includes('mysql') ? 'mysql' : 'sqlite';
    h = await startRelayHarness(kind, {}, { redisProxy: true });
    await h.createChannel({ baseUrl: fake.url, models: ['outage-model'] });
    for (const [option, value] of [
      ['TokenRequestsPerMinute', '100000'],
      ['UserRequestsPerMinute', '100000'],
      ['TokenTokensPerMinute', '100000000'],
      ['UserConcurrencyLimit', '50'],
      ['TokenConcurrencyLimit', '50'],
    ]) {
      await h.setOption(option, value);
    }
    keys = [];
    for (let u = 0; u < 4; u++) {
      const userId = await h.createUser({ quota: 50_000_000 });
      for (let t = 0; t < 2; t++) keys.push(await h.createToken({ userId, unlimitedQuota: false, remainQuota: 10_000_000 }));
    }
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  /** One request (JSON or stream, with and without max_tokens): its latency in ms and status. */
  async function one(i: number): Promise<{ ms: number; status: number }> {
    const started = performance.now();
    const stream = i % 2 === 0;
    const res = await fetch(`${h.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[i % keys.length]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'outage-model', messages: [{ role: 'user', content: 'hi' }], stream, ...(i % 3 === 0 ? {} : { max_tokens: 20 }) }),
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status };
  }

  /** PER_PHASE requests, CONCURRENCY at a time; `during` runs once the first ones are in flight. */
  async function phase(during?: () => Promise<void>): Promise<number[]> {
    const results: Array<{ ms: number; status: number }> = [];
    let next = 0;
    const worker = async () => {
      while (next < PER_PHASE) results.push(await one(next++));
    };
    const workers = Array.from({ length: CONCURRENCY }, worker);
    if (during) {
      await eventually(async () => results.length >= CONCURRENCY * 2);
      await during();
    }
    await Promise.all(workers);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    return results.map((r) => r.ms);
  }

  it('p99 stays within the normal p99 + 600 ms and quota stays exact', async () => {
    const proxy = h.redisProxy;
    if (!proxy) throw new Error('expected the Redis hop');
    await phase(); // warm-up: caches filled, connections open
    const normal = p99(await phase());

    // Paused: Redis accepts nothing and answers nothing (SIGSTOP), cut while requests run.
    const paused = p99(await phase(() => proxy.cut('hang')));
    await proxy.restore();
    await eventually(async () => h.runtime.redis?.status === 'ready', 10_000);
    await phase();

    // Stopped: connections cut and refused.
    const stopped = p99(await phase(() => proxy.cut('refuse')));
    await proxy.restore();
    await eventually(async () => h.runtime.redis?.status === 'ready', 10_000);

    expect(paused).toBeLessThanOrEqual(normal + 600);
    expect(stopped).toBeLessThanOrEqual(normal + 600);

    // Every request settled exactly: no reservation left, balances reconcile with the logs.
    await h.flush();
    expect(await h.sql('SELECT request_id FROM reservations')).toEqual([]);
    expect(await h.drift()).toEqual([]);
  });
});
