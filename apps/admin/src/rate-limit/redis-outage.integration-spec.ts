/**
 * Issue #12: the admin's rate limits while their store (Redis) is away. No route answers 500 or
 * 503 just because the limiter cannot reach Redis (the global limit counts in this process
 * meanwhile), except the critical ones (login, register, redeem a code, password reset,
 * verification mail, OAuth sign-ins), which fail closed with 503 `service_unavailable`; every
 * answer comes at once.
 */
import { randomInt } from 'node:crypto';
import { loadTestEnv } from '@oneapi/config';
import { startTcpProxy, type TcpProxy } from '@oneapi/testing';
import { startAdminHarness, type AdminHarness, type TestUser } from '../testing/admin-harness';
import { waitFor } from '../testing/wait-for';

/** A random address behind the trusted proxy, so runs sharing one Redis never share a bucket. */
const randomIp = () => `10.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const GLOBAL_LIMIT = 30;

describe('admin rate limits with Redis away', () => {
  let h: AdminHarness;
  let proxy: TcpProxy;
  let user: TestUser;

  beforeAll(async () => {
    const redis = new URL(loadTestEnv().redisUrl);
    proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
    redis.host = `127.0.0.1:${proxy.port}`;
    h = await startAdminHarness('sqlite', {
      REDIS_CONN_STRING: redis.toString(),
      GLOBAL_API_RATE_LIMIT: String(GLOBAL_LIMIT),
      CRITICAL_RATE_LIMIT: '20',
      LOGIN_FAILURE_LIMIT: '10',
      LOGIN_FAILURE_USER_LIMIT: '100',
      TRUSTED_PROXIES: '127.0.0.1',
    });
    user = await h.createUser({ quota: 1000 });
  });
  afterAll(async () => {
    await proxy?.restore();
    await h?.close();
    await proxy?.close();
  });

  const as = (u: TestUser) => ({ Authorization: u.accessToken });

  /** Ordinary routes: answered normally. */
  const ordinary = (ip: string) => [
    () => h.http().get('/api/status').set('X-Forwarded-For', ip),
    () => h.http().get('/api/user/self').set('X-Forwarded-For', ip).set(as(user)),
    () => h.http().post('/api/token').set('X-Forwarded-For', ip).set(as(user)).send({ name: 'during-outage', remain_quota: 10 }),
    () => h.http().get('/api/token').set('X-Forwarded-For', ip).set(as(user)),
    () => h.http().get('/api/user/').set('X-Forwarded-For', ip).set(as(h.root)),
    // Saved in the database; other nodes hear of it by their next reload when the publish fails.
    () => h.http().put('/api/option').set('X-Forwarded-For', ip).set(as(h.root)).send({ key: 'Notice', value: `notice ${ip}` }),
  ];
  /** Critical routes: fail closed. */
  const critical = (ip: string) => [
    () => h.http().post('/api/user/login').set('X-Forwarded-For', ip).send({ username: 'root', password: h.rootPassword }),
    () => h.http().post('/api/user/register').set('X-Forwarded-For', ip).send({ username: 'newcomer', password: 'a-long-password' }),
    () => h.http().get('/api/verification?email=someone@example.com').set('X-Forwarded-For', ip),
    () => h.http().get('/api/reset_password?email=someone@example.com').set('X-Forwarded-For', ip),
    () => h.http().post('/api/user/reset').set('X-Forwarded-For', ip).send({ email: 'someone@example.com', token: 'x'.repeat(32) }),
    () => h.http().post('/api/user/topup').set('X-Forwarded-For', ip).set(as(user)).send({ key: 'f'.repeat(32) }),
    () => h.http().get('/api/oauth/state').set('X-Forwarded-For', ip),
  ];

  for (const mode of ['refuse', 'hang'] as const) {
    it(`Redis ${mode === 'refuse' ? 'stopped' : 'hanging'}: ordinary routes answer normally, critical ones 503 service_unavailable, all at once`, async () => {
      // Healthy first: the same calls succeed (or fail on their own merits, never 503).
      const ip = randomIp();
      for (const call of ordinary(ip)) expect((await call()).status).toBe(200);
      expect((await critical(ip)[0]()).status).toBe(200);

      await proxy.cut(mode);
      try {
        const outageIp = randomIp();
        for (const call of ordinary(outageIp)) {
          const started = Date.now();
          const res = await call();
          expect({ status: res.status, body: res.body?.success }).toEqual({ status: 200, body: true });
          expect(Date.now() - started).toBeLessThan(1_000);
        }
        for (const call of critical(outageIp)) {
          const started = Date.now();
          const res = await call();
          expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: { success: false, message: expect.stringMatching(/try again/), data: null, code: 'service_unavailable' } });
          expect(res.headers['retry-after']).toBeDefined();
          expect(Date.now() - started).toBeLessThan(1_000);
        }
        // Meanwhile the global limit is counted in this process: still enforced per client.
        const counted = randomIp();
        const statuses: number[] = [];
        for (let i = 0; i <= GLOBAL_LIMIT; i++) statuses.push((await h.http().get('/api/status').set('X-Forwarded-For', counted)).status);
        expect(statuses.filter((s) => s === 200)).toHaveLength(GLOBAL_LIMIT);
        expect(statuses[GLOBAL_LIMIT]).toBe(429);
      } finally {
        await proxy.restore();
      }
      // Back on Redis once it answers: critical routes work again.
      await waitFor(async () => (await critical(randomIp())[0]()).status === 200, 10_000);
    });
  }
});
