import { loadTestEnv } from '@oneapi/config';
import { randomLoopback } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness } from '../testing/admin-harness';
import { DB_KINDS, dbEnabled } from '../testing/db-kinds';

/** One of 16 million addresses, so runs sharing one Redis (20-minute buckets) practically never share one. */
const randomIp = randomLoopback;

describe.each(DB_KINDS)('rate limits (%s)', (kind) => {
  // MariaDB runs the distributed mode: counters in Redis, shared by replicas.
  const redisEnv: Record<string, string> = kind === 'mysql' ? { REDIS_CONN_STRING: loadTestEnv().redisUrl } : {};
  let h: AdminHarness;
  let enabled = false;

  beforeAll(async () => {
    enabled = await dbEnabled(kind);
    if (enabled) h = await startAdminHarness(kind, { ...redisEnv, GLOBAL_API_RATE_LIMIT: '6', CRITICAL_RATE_LIMIT: '3', TRUSTED_PROXIES: '127.0.0.1' });
  });
  afterAll(async () => {
    if (enabled) await h.close();
  });

  it('GLOBAL_API_RATE_LIMIT answers 429 with Retry-After on /api once a client is over it', async () => {
    if (!enabled) return;
    const ip = randomIp();
    for (let i = 0; i < 6; i++) await h.http().get('/api/status').set('X-Forwarded-For', ip).expect(200);
    const res = await h.http().get('/api/status').set('X-Forwarded-For', ip).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(180);
    expect(res.body).toMatchObject({ success: false, data: null });
    // Another client (behind the trusted proxy) and non-/api routes are unaffected.
    await h.http().get('/api/status').set('X-Forwarded-For', randomIp()).expect(200);
    await h.http().get('/healthz').expect(200);
  });

  it('CRITICAL_RATE_LIMIT limits login attempts per client IP', async () => {
    if (!enabled) return;
    const ip = randomIp();
    for (let i = 0; i < 3; i++) await h.http().post('/api/user/login').set('X-Forwarded-For', ip).send({ username: 'root', password: 'wrong-password' }).expect(401);
    const res = await h.http().post('/api/user/login').set('X-Forwarded-For', ip).send({ username: 'root', password: h.rootPassword }).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(180);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(1200);
    await h.http().post('/api/user/login').set('X-Forwarded-For', randomIp()).send({ username: 'root', password: h.rootPassword }).expect(200);
  });
});
