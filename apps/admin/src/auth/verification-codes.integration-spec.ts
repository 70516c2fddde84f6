import { randomBytes } from 'node:crypto';
import { createRedis, redisReady, type RedisClient } from '@oneapi/cache';
import { loadTestEnv } from '@oneapi/config';
import type { ServiceRuntime } from '@oneapi/platform';
import { CODE_MAX_ATTEMPTS, VerificationCodes, codeSubject } from './verification-codes';

describe('VerificationCodes (Redis)', () => {
  let redis: RedisClient;
  let codes: VerificationCodes;
  const email = () => `${randomBytes(4).toString('hex')}@example.com`;

  beforeAll(async () => {
    redis = createRedis(loadTestEnv().redisUrl);
    // The request path's client queues nothing while it connects.
    await redisReady(redis);
    codes = new VerificationCodes({ redis } as unknown as ServiceRuntime);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('stores only a hash with a TTL, and redeems the right code exactly once under concurrency', async () => {
    const subject = codeSubject.bind(1, 0, email());
    await codes.issue('bind', subject, 'abc123');
    const key = `oneapi:code:bind:${subject}`;
    expect(JSON.stringify(await redis.hgetall(key))).not.toContain('abc123');
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(await codes.redeem('register', subject, 'abc123')).toBe(false);
    const results = await Promise.all(Array.from({ length: 10 }, () => codes.redeem('bind', subject, 'abc123')));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it(`burns a code after ${CODE_MAX_ATTEMPTS} wrong guesses`, async () => {
    const subject = codeSubject.register(email());
    await codes.issue('register', subject, 'right');
    for (let i = 0; i < CODE_MAX_ATTEMPTS; i++) expect(await codes.redeem('register', subject, 'wrong')).toBe(false);
    expect(await codes.redeem('register', subject, 'right')).toBe(false);
  });
});
