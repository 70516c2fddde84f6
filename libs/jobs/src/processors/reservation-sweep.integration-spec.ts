import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { loadTestEnv } from '@oneapi/config';
import type { Database } from '@oneapi/data';
import { createRuntimeFromEnv, type ServiceRuntime } from '@oneapi/platform';
import { availableDbKinds, createTestDatabase, type TestDatabase } from '@oneapi/testing';
import { waitUntil } from '../__tests__/fixtures';
import { BullJobQueue, BullJobWorker } from '../drivers/bullmq.driver';
import { InProcessJobQueue } from '../drivers/in-process.driver';
import type { JobContext } from '../job-context';
import { JobName } from '../job-names';
import { MemoryRunStore } from '../run-store';
import { createJobContext, scheduleRepeatingJobs } from '../runtime-jobs';
import { PROCESSORS } from './index';

/** User 1 holds 100 for a request whose reservation expired `agoMs` ago (token 1 charged too). */
async function seedExpired(db: Database, requestId: string, agoMs: number): Promise<void> {
  await db.source.query('DELETE FROM reservations');
  await db.source.query('DELETE FROM tokens');
  await db.source.query('DELETE FROM users WHERE id = 1000');
  await db.source.query(
    "INSERT INTO users (id, username, password, display_name, quota, used_quota, granted_quota, aff_code) VALUES (1000, 'sweepme', 'x', 'sweepme', 900, 0, 1000, 'sweepaff')",
  );
  await db.source.query(
    "INSERT INTO tokens (id, user_id, `key`, name, remain_quota, unlimited_quota, used_quota, granted_quota) VALUES (1, 1000, 'sweep-key', 'sweep', 400, 0, 0, 500)",
  );
  const expiresAt = Date.now() - agoMs;
  await db.source.query(
    "INSERT INTO reservations (request_id, token_id, user_id, amount, token_charged, node, created_at, expires_at) VALUES (?, 1, 1000, 100, 1, 'relay-x', ?, ?)",
    [requestId, expiresAt - 2000, expiresAt],
  );
}

async function state(db: Database): Promise<{ reservations: number; quota: number; remain: number; logs: string[] }> {
  const [r] = await db.source.query('SELECT COUNT(*) AS n FROM reservations');
  const [u] = await db.source.query('SELECT quota FROM users WHERE id = 1000');
  const [t] = await db.source.query('SELECT remain_quota FROM tokens WHERE id = 1');
  const logs: Array<{ request_id: string }> = await db.logSource.query('SELECT request_id FROM logs WHERE type = 4 AND user_id = 1000 ORDER BY id');
  return { reservations: Number(r.n), quota: Number(u.quota), remain: Number(t.remain_quota), logs: logs.map((l) => l.request_id) };
}

/** A context whose log lines are kept, to check what the job reports. */
function capturing(ctx: JobContext): { ctx: JobContext; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { ctx: { ...ctx, logger }, lines };
}

describe.each([['sqlite'], ['mysql']] as const)('reservations.sweep on %s', (kind) => {
  let available = true;
  let test: TestDatabase;
  let runtime: ServiceRuntime;

  beforeAll(async () => {
    available = (await availableDbKinds()).includes(kind);
    if (!available) return;
    test = await createTestDatabase(kind);
    runtime = await createRuntimeFromEnv('admin', { ...test.env, SESSION_SECRET: randomBytes(24).toString('hex'), RESERVATION_TTL: '2' });
  });
  afterAll(async () => {
    if (!available) return;
    await runtime.close();
    await test.drop();
  });

  it('releases expired reservations and logs how many', async () => {
    if (!available) return;
    await seedExpired(runtime.db, 'job-once', 5_000);
    const { ctx, lines } = capturing(createJobContext(runtime, new MemoryRunStore(), { mailer: null }));
    expect(await PROCESSORS[JobName.ReservationsSweep](ctx, {})).toEqual({ released: 1, amount: 100, skipped: 0, more: false });
    expect(await state(runtime.db)).toEqual({ reservations: 0, quota: 1000, remain: 500, logs: ['job-once'] });
    expect(lines).toContainEqual(expect.objectContaining({ msg: '1 expired reservation(s) released', released: 1, amount: 100 }));

    expect(await PROCESSORS[JobName.ReservationsSweep](ctx, {})).toMatchObject({ released: 0 });
    expect(await state(runtime.db)).toMatchObject({ quota: 1000, logs: ['job-once'] });
  });

  it('embedded mode: a master schedules it in-process every RESERVATION_TTL / 2 and it releases the reservation', async () => {
    if (!available) return;
    const queue = new InProcessJobQueue(createJobContext(runtime, new MemoryRunStore(), { mailer: null }), PROCESSORS);
    try {
      const scheduled = await scheduleRepeatingJobs(queue, runtime.config);
      expect(scheduled).toContainEqual({ name: JobName.ReservationsSweep, payload: {}, everyMs: 1_000 });
      // Expires only now: the scheduled run, not a call of ours, has to release it.
      await seedExpired(runtime.db, 'job-timer', 0);
      await waitUntil(async () => (await state(runtime.db)).reservations === 0, 10_000, 'the scheduled sweep');
      expect(await state(runtime.db)).toEqual({ reservations: 0, quota: 1000, remain: 500, logs: ['job-once', 'job-timer'] });
    } finally {
      await queue.close();
    }
  });
});

describe('reservations.sweep in distributed mode (BullMQ)', () => {
  const redisUrl = loadTestEnv().redisUrl;
  const prefix = `oneapi-test-${randomBytes(4).toString('hex')}`;

  it('a master installs the schedule on Redis and a worker runs it', async () => {
    const test = await createTestDatabase('sqlite');
    const runtime = await createRuntimeFromEnv('worker', { ...test.env, SESSION_SECRET: randomBytes(24).toString('hex'), REDIS_CONN_STRING: redisUrl, RESERVATION_TTL: '4' });
    const producer = new BullJobQueue({ redisUrl, prefix });
    const worker = new BullJobWorker({ redisUrl, prefix, ctx: createJobContext(runtime, new MemoryRunStore(), { mailer: null }), processors: PROCESSORS, logger: runtime.logger });
    try {
      await worker.ready();
      await seedExpired(runtime.db, 'job-bull', 1_000);
      expect(await scheduleRepeatingJobs(producer, runtime.config)).toContainEqual({ name: JobName.ReservationsSweep, payload: {}, everyMs: 2_000 });
      const schedulers = await producer.queue.getJobSchedulers();
      expect(schedulers.find((s) => s.name === JobName.ReservationsSweep)?.every).toBe(2_000);
      await waitUntil(async () => (await state(runtime.db)).reservations === 0, 15_000, 'the scheduled sweep on the worker');
      expect(await state(runtime.db)).toEqual({ reservations: 0, quota: 1000, remain: 500, logs: ['job-bull'] });
    } finally {
      await worker.close();
      await producer.queue.obliterate({ force: true }).catch(() => undefined);
      await producer.close();
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await runtime.close();
      await test.drop();
    }
  });
});
