/**
 * Issue #12: the relay's rate limits in Redis are sliding windows (one atomic script per check,
 * shared by every replica), and while Redis is away each relay counts on its own, answering at
 * once instead of waiting for Redis.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createRedis, redisReady, type RedisClient } from '@oneapi/cache';
import { loadTestEnv } from '@oneapi/config';
import { startTcpProxy, type TcpProxy } from '@oneapi/testing';
import type { RelayOptions, RelayPricing } from '../billing/pricing';
import { RelayException } from '../errors/relay.exception';
import { RelayRateLimiter, type RateCharge } from './relay-rate-limiter';

const logger = pino({ level: 'silent' });

/** The tokens charge of a check that must have passed with one. */
async function charged(p: Promise<RateCharge | null>): Promise<RateCharge> {
  const charge = await p;
  if (!charge) throw new Error('expected a tokens-per-minute charge');
  return charge;
}
const WINDOW_MS = 2_000;

function pricingWith(limits: Partial<RelayOptions>): RelayPricing {
  const options = { tokenRequestsPerMinute: 0, userRequestsPerMinute: 0, tokenTokensPerMinute: 0, ...limits } as RelayOptions;
  return { options } as unknown as RelayPricing;
}

async function passed(checks: Array<Promise<unknown>>): Promise<number> {
  const results = await Promise.allSettled(checks);
  for (const r of results) if (r.status === 'rejected' && !(r.reason instanceof RelayException)) throw r.reason;
  return results.filter((r) => r.status === 'fulfilled').length;
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));

describe('relay rate limits in Redis: sliding windows', () => {
  const url = new URL(loadTestEnv().redisUrl);
  let proxy: TcpProxy;
  let a: RedisClient;
  let b: RedisClient;
  const prefix = () => `oneapi-test:sw:${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    proxy = await startTcpProxy(url.hostname, Number(url.port || 6379));
    const viaProxy = new URL(url.toString());
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    a = createRedis(viaProxy.toString(), { name: 'sw-a' });
    b = createRedis(url.toString(), { name: 'sw-b' });
    a.on('error', () => undefined);
    b.on('error', () => undefined);
    await Promise.all([redisReady(a), redisReady(b)]);
  });
  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await proxy?.close();
  });

  it('a burst at the window edge passes at most the limit in any window', async () => {
    const limiter = new RelayRateLimiter(pricingWith({ tokenRequestsPerMinute: 10 }), b, logger, prefix(), { windowMs: WINDOW_MS });
    const t0 = performance.now();
    expect(await passed([limiter.check(1, 1, 1, 1)])).toBe(1);
    await sleepUntil(t0 + 1_000);
    expect(await passed(Array.from({ length: 10 }, () => limiter.check(1, 1, 1, 1)))).toBe(9);
    // The first request has left the window; the burst of t=1 s has not: room for one.
    await sleepUntil(t0 + WINDOW_MS + 300);
    expect(await passed(Array.from({ length: 10 }, () => limiter.check(1, 1, 1, 1)))).toBe(1);
    const refused = await limiter.check(1, 1, 1, 1).catch((e: RelayException) => e);
    expect(refused).toBeInstanceOf(RelayException);
    expect((refused as RelayException).retryAfterSeconds).toBe(1);
    // The burst of t=1 s has left too; the request of t=2.3 s has not.
    await sleepUntil(t0 + 1_000 + WINDOW_MS + 300);
    expect(await passed(Array.from({ length: 10 }, () => limiter.check(1, 1, 1, 1)))).toBe(9);
  });

  it('two replicas share one limit atomically: 60 concurrent checks against 20 pass exactly 20', async () => {
    const p = prefix();
    const one = new RelayRateLimiter(pricingWith({ userRequestsPerMinute: 20 }), a, logger, p);
    const two = new RelayRateLimiter(pricingWith({ userRequestsPerMinute: 20 }), b, logger, p);
    const checks = Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).check(i, 42, 1, 1));
    expect(await passed(checks)).toBe(20);
  });

  it('tokens per minute: settlement corrects the charge in Redis, seen by the other replica', async () => {
    const p = prefix();
    const one = new RelayRateLimiter(pricingWith({ tokenTokensPerMinute: 100 }), a, logger, p);
    const two = new RelayRateLimiter(pricingWith({ tokenTokensPerMinute: 100 }), b, logger, p);
    const charge = await charged(one.check(5, 5, 10, 80));
    expect(await passed([two.check(5, 5, 10, 20)])).toBe(0);
    one.settle(charge, 30);
    await new Promise((r) => setTimeout(r, 50));
    expect(await passed([two.check(5, 5, 10, 50)])).toBe(1);
    expect(await passed([two.check(5, 5, 1, 20)])).toBe(0);
  });

  for (const mode of ['refuse', 'hang'] as const) {
    it(`Redis away (${mode}): each check answers at once, counted in this process`, async () => {
      const limiter = new RelayRateLimiter(pricingWith({ tokenRequestsPerMinute: 3 }), a, logger, prefix());
      await proxy.cut(mode);
      try {
        const times: number[] = [];
        let ok = 0;
        for (let i = 0; i < 20; i++) {
          const t = performance.now();
          ok += await passed([limiter.check(9, 9, 1, 1)]);
          times.push(performance.now() - t);
        }
        expect(ok).toBe(3);
        // At most the first check waits (briefly) to find Redis gone; the rest do not try it.
        expect(Math.max(...times)).toBeLessThan(250);
        expect(times.slice(1).filter((t) => t > 20)).toEqual([]);
      } finally {
        await proxy.restore();
      }
      // Back on Redis once it answers again.
      await redisReady(a);
      await new Promise((r) => setTimeout(r, 1_200));
      const fresh = new RelayRateLimiter(pricingWith({ tokenRequestsPerMinute: 3 }), a, logger, limiter.keyPrefix);
      expect(await passed(Array.from({ length: 5 }, () => fresh.check(9, 9, 1, 1)))).toBe(3);
    });
  }
});
