/**
 * Issue #12: the merged capacity scripts. One take claims a channel's seat, its RPM/TPM budgets
 * and the caller's leases all-or-nothing across relays (two Redis connections stand for two
 * relays); one give frees the leases and corrects the budgets; leases of a relay that died expire;
 * while Redis is away the store counts in this process behind the gate.
 */
import { randomBytes } from 'node:crypto';
import { createRedis, redisReady, type RedisClient } from '@oneapi/cache';
import { loadTestEnv } from '@oneapi/config';
import { RedisGate } from '@oneapi/platform';
import { FallbackCapacityStore, MemoryCapacityStore, RedisCapacityStore, type CapacityStore } from './capacity-store';
import { WINDOW_MS } from './rate-windows';

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met');
}

describe('capacity store: one script to take, one to give back', () => {
  let r1: RedisClient;
  let r2: RedisClient;
  let p: string;
  beforeAll(async () => {
    r1 = createRedis(loadTestEnv().redisUrl, { name: 'capacity-a' });
    r2 = createRedis(loadTestEnv().redisUrl, { name: 'capacity-b' });
    await Promise.all([redisReady(r1), redisReady(r2)]);
  });
  beforeEach(() => {
    p = `capspec-${randomBytes(6).toString('hex')}`;
  });
  afterAll(async () => {
    await Promise.all([r1?.quit(), r2?.quit()]);
  });

  const lease = (key: string) => `oneapi:lease:${p}:${key}`;

  it('two relays taking a channel seat with the caller leases at once never exceed either cap together', async () => {
    const a = new RedisCapacityStore(r1, 60_000);
    const b = new RedisCapacityStore(r2, 60_000);
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).take(`req-${i}`, [{ key: `${p}:channel:1`, limit: 10 }, { key: `${p}:user:${i % 4}`, limit: 3 }], 1, [{ key: `${p}:channel:1:rpm`, limit: 1000, cost: 1 }], now),
      ),
    );
    const taken = results.filter((r) => r.full === -1 && r.waitMs === 0).length;
    // Four users with 3 slots each could take 12; the channel holds 10.
    expect(taken).toBe(10);
    expect(await r1.zcard(lease('channel:1'))).toBe(10);
    let users = 0;
    for (let u = 0; u < 4; u++) {
      const n = await r1.zcard(lease(`user:${u}`));
      expect(n).toBeLessThanOrEqual(3);
      users += n;
    }
    // All or nothing: each refused take left no lease behind, on the channel or the user.
    expect(users).toBe(10);
    // Only the 10 taken requests were charged to RPM (10 of 1,000 per minute).
    const tat = Number(await r1.get(`oneapi:window:${p}:channel:1:rpm`));
    expect(Math.round(((tat - now) * 1000) / WINDOW_MS)).toBe(10);
  });

  it('a full caller refuses after the channel checks, leaving the channel seat and budgets untouched', async () => {
    const s = new RedisCapacityStore(r1, 60_000);
    const now = Date.now();
    const channel = { key: `${p}:channel:2`, limit: 5 };
    const user = { key: `${p}:user:1`, limit: 1 };
    const tpm = { key: `${p}:channel:2:tpm`, limit: 1000, cost: 100 };
    expect(await s.take('r1', [channel, user], 1, [tpm], now)).toEqual({ full: -1, waitMs: 0 });
    // The user is full: index 1 (the caller's lease), nothing more taken.
    expect(await s.take('r2', [channel, user], 1, [tpm], now)).toEqual({ full: 1, waitMs: 0 });
    expect(await r1.zcard(lease('channel:2'))).toBe(1);
    const tatBefore = await r1.get(`oneapi:window:${p}:channel:2:tpm`);
    // A full TPM budget is the channel's answer (its wait), even when the caller is full too.
    const big = { ...tpm, cost: 1000 };
    const refused = await s.take('r3', [channel, user], 1, [big], now);
    expect(refused.full).toBe(-1);
    expect(refused.waitMs).toBeGreaterThan(0);
    expect(await r1.get(`oneapi:window:${p}:channel:2:tpm`)).toBe(tatBefore);

    // One give frees every lease of the request and corrects TPM to what was billed (30 tokens).
    await s.give('r1', [channel.key, user.key], [{ key: tpm.key, limit: tpm.limit, delta: 30 - 100 }], now);
    expect(await r1.zcard(lease('channel:2'))).toBe(0);
    expect(await r1.zcard(lease('user:1'))).toBe(0);
    const tat = Number(await r1.get(`oneapi:window:${p}:channel:2:tpm`));
    expect(Math.round(((tat - now) * 1000) / WINDOW_MS)).toBe(30);
  });

  it('the leases of a relay that died expire after their TTL; renewed ones stay', async () => {
    const dead = new RedisCapacityStore(r1, 300);
    const live = new RedisCapacityStore(r2, 300);
    const want = [{ key: `${p}:channel:3`, limit: 2 }];
    expect((await dead.take('gone', want, 1, [], Date.now())).full).toBe(-1);
    expect((await live.take('alive', want, 1, [], Date.now())).full).toBe(-1);
    expect((await live.take('third', want, 1, [], Date.now())).full).toBe(0);
    // The live relay renews its stream; the dead one never gives back.
    const renewing = setInterval(() => void live.renew('alive', [want[0].key]), 100);
    try {
      await until(async () => (await live.take('third', want, 1, [], Date.now())).full === -1);
    } finally {
      clearInterval(renewing);
    }
    expect((await r1.zrange(lease('channel:3'), 0, -1)).sort()).toEqual(['alive', 'third']);
  });

  it('while Redis is away the take falls back to this process behind the gate, and is given back there', async () => {
    const broken: CapacityStore = {
      take: () => new Promise(() => undefined),
      give: () => Promise.resolve(),
      renew: () => Promise.resolve(),
    };
    const failures: unknown[] = [];
    const store = new FallbackCapacityStore(broken, new RedisGate(r1, { budgetMs: 50, retryMs: 60_000 }), (e) => failures.push(e));
    const wants = [{ key: 'channel:9', limit: 1 }];
    const first = await store.take('a', wants, 1, [], Date.now());
    expect(first).toMatchObject({ full: -1, waitMs: 0 });
    expect(first.store).toBe(store.local);
    expect(failures).toHaveLength(1);
    // Counted here: the cap of 1 holds in this process, without waiting on Redis again.
    expect((await store.take('b', wants, 1, [], Date.now())).full).toBe(0);
    expect(store.local.count('channel:9')).toBe(1);
    store.give(first.store, 'a', ['channel:9'], [], Date.now());
    expect(store.local.count('channel:9')).toBe(0);
  });

  it('in memory: the same all-or-nothing take and give', async () => {
    const m = new MemoryCapacityStore();
    const now = Date.now();
    const wants = [
      { key: 'channel:1', limit: 2 },
      { key: 'user:1', limit: 1 },
    ];
    expect(await m.take('a', wants, 1, [{ key: 'rpm', limit: 2, cost: 1 }], now)).toEqual({ full: -1, waitMs: 0 });
    expect(await m.take('b', wants, 1, [{ key: 'rpm', limit: 2, cost: 1 }], now)).toEqual({ full: 1, waitMs: 0 });
    expect(m.count('channel:1')).toBe(1);
    await m.give('a', ['channel:1', 'user:1'], [], now);
    expect(m.count('channel:1') + m.count('user:1')).toBe(0);
  });
});
