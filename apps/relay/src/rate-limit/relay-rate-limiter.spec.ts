import pino from 'pino';
import type { RelayOptions, RelayPricing } from '../billing/pricing';
import { RelayException } from '../errors/relay.exception';
import { RelayRateLimiter, type RateCharge } from './relay-rate-limiter';
import { MemorySlidingWindow } from './sliding-window';

/** A pricing stand-in: the limiter reads only `options`. */
function pricingWith(limits: Partial<RelayOptions>): RelayPricing {
  const options = { tokenRequestsPerMinute: 0, userRequestsPerMinute: 0, tokenTokensPerMinute: 0, ...limits } as RelayOptions;
  return { options } as unknown as RelayPricing;
}

const logger = pino({ level: 'silent' });

/** The tokens charge of a check that must have passed with one. */
async function charged(p: Promise<RateCharge | null>): Promise<RateCharge> {
  const charge = await p;
  if (!charge) throw new Error('expected a tokens-per-minute charge');
  return charge;
}

/** How many of `n` checks pass (refusals are 429 RelayExceptions). */
async function passes(limiter: RelayRateLimiter, n: number, prompt = 1, maxTokens: number | null = 1): Promise<number> {
  let passed = 0;
  for (let i = 0; i < n; i++) {
    try {
      await limiter.check(1, 1, prompt, maxTokens);
      passed++;
    } catch (error) {
      if (!(error instanceof RelayException)) throw error;
    }
  }
  return passed;
}

async function refusal(p: Promise<unknown>): Promise<RelayException> {
  try {
    await p;
  } catch (error) {
    if (error instanceof RelayException) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('RelayRateLimiter (this process: embedded mode and the fallback while Redis is away)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('TokenRequestsPerMinute=10: a burst at the window edge passes at most 10 in any 60 s (sliding window, not fixed minutes)', async () => {
    const limiter = new RelayRateLimiter(pricingWith({ tokenRequestsPerMinute: 10 }), null, logger);
    expect(await passes(limiter, 1)).toBe(1);
    jest.advanceTimersByTime(59_500);
    expect(await passes(limiter, 10)).toBe(9);
    // One second later a fixed window would start afresh and let 10 more through; here only
    // the request of t=0 has left the last 60 s.
    jest.advanceTimersByTime(1_000);
    expect(await passes(limiter, 10)).toBe(1);
    const refused = await refusal(limiter.check(1, 1, 1, 1));
    // The next room opens when the burst of t=59.5 s leaves the window, 59 s from now.
    expect(refused.retryAfterSeconds).toBe(59);
    jest.advanceTimersByTime(59_100);
    expect(await passes(limiter, 10)).toBe(9);
  });

  it('a refused check costs nothing: the limits that passed are not charged', async () => {
    const limiter = new RelayRateLimiter(pricingWith({ userRequestsPerMinute: 3, tokenTokensPerMinute: 100 }), null, logger);
    await limiter.check(1, 7, 40, 40);
    // Refused by the tokens per minute: the user's request count must not move.
    for (let i = 0; i < 5; i++) expect((await refusal(limiter.check(1, 7, 40, 40))).message).toMatch(/TokenTokensPerMinute = 100/);
    await limiter.check(2, 7, 1, 1);
    await limiter.check(3, 7, 1, 1);
    expect((await refusal(limiter.check(4, 7, 1, 1))).message).toMatch(/UserRequestsPerMinute = 3/);
  });

  it('TokenTokensPerMinute: a request without max_tokens is charged prompt + 500 until settled to its real count', async () => {
    const limiter = new RelayRateLimiter(pricingWith({ tokenTokensPerMinute: 1000 }), null, logger);
    const first = await charged(limiter.check(1, 1, 100, null));
    // 600 + 600 > 1000: a second such request must wait for the first one's real count.
    expect((await refusal(limiter.check(1, 1, 100, null))).message).toMatch(/tokens per minute of this token/);
    limiter.settle(first, 150);
    await Promise.resolve();
    expect(await limiter.check(1, 1, 100, null)).not.toBeNull();
  });

  it('settlement corrects the charge in place; a refund gives it all back; a correction after the window counts from then', async () => {
    const limiter = new RelayRateLimiter(pricingWith({ tokenTokensPerMinute: 100 }), null, logger);
    const a = await charged(limiter.check(1, 1, 10, 40));
    limiter.refund(a);
    const b = await charged(limiter.check(1, 1, 10, 90));
    expect((await refusal(limiter.check(1, 1, 1, 1))).message).toMatch(/TokenTokensPerMinute/);
    limiter.settle(b, 60);
    expect(await passes(limiter, 1, 10, 30)).toBe(1);
    expect(await passes(limiter, 1, 1, 1)).toBe(0);
    // A long request: its charge (50 at t=0) left the window before it settled at 150.
    jest.advanceTimersByTime(61_000);
    const c = await charged(limiter.check(1, 1, 10, 40));
    jest.advanceTimersByTime(61_000);
    limiter.settle(c, 150);
    // The 100 tokens beyond the estimate count from the settlement on.
    expect(await passes(limiter, 1, 1, 1)).toBe(0);
    jest.advanceTimersByTime(60_001);
    expect(await passes(limiter, 1, 10, 40)).toBe(1);
  });

  it('a request larger than the whole budget still passes into an empty window', async () => {
    const limiter = new RelayRateLimiter(pricingWith({ tokenTokensPerMinute: 100 }), null, logger);
    expect(await limiter.check(1, 1, 50, 1000)).not.toBeNull();
    expect(await passes(limiter, 1)).toBe(0);
  });

  it('forgets keys that have been idle for a window (tokens that stopped calling hold no memory)', async () => {
    const window = new MemorySlidingWindow(60_000);
    for (let i = 0; i < 100; i++) await window.take(`r${i}`, [{ key: `token:${i}`, limit: 5, cost: 1 }]);
    expect(window.size).toBe(100);
    jest.advanceTimersByTime(60_001);
    await window.take('last', [{ key: 'token:x', limit: 5, cost: 1 }]);
    expect(window.size).toBe(1);
  });
});
