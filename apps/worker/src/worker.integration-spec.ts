import { randomBytes } from 'node:crypto';
import request from 'supertest';
import Redis from 'ioredis';
import { loadTestEnv } from '@oneapi/config';
import { BullJobQueue, JobName } from '@oneapi/jobs';
import { createRuntimeFromEnv, type ServiceRuntime } from '@oneapi/platform';
import { createTestDatabase, startFakeOpenAI, type FakeUpstream, type TestDatabase } from '@oneapi/testing';
import { createWorkerApp } from './worker.app';

const redisUrl = loadTestEnv().redisUrl;
const KEY = 'sk-worker-key';

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('apps/worker', () => {
  const prefix = `oneapi-test-${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let fake: FakeUpstream;
  let redis: Redis;
  let producer: BullJobQueue;
  const runtimes: ServiceRuntime[] = [];

  const start = async (env: Record<string, string>, before?: (rt: ServiceRuntime) => Promise<void>) => {
    const rt = await createRuntimeFromEnv('worker', { ...db.env, REDIS_CONN_STRING: redisUrl, ...env });
    runtimes.push(rt);
    await before?.(rt);
    const app = await createWorkerApp(rt, { prefix, mailer: null });
    await app.listen(0, '127.0.0.1');
    return { rt, app };
  };
  const testLogCount = async (rt: ServiceRuntime, channelId: number) =>
    Number((await rt.db.logSource.query('SELECT COUNT(*) AS n FROM logs WHERE type = 5 AND channel_id = ?', [channelId]))[0].n);
  const addChannel = async (rt: ServiceRuntime, name: string) => {
    await rt.db.source.query("INSERT INTO channels (type, `key`, status, name, base_url, models, `group`) VALUES (1, ?, 1, ?, ?, 'gpt-4o-mini', 'default')", [KEY, name, fake.url]);
    return Number((await rt.db.source.query('SELECT id FROM channels WHERE name = ?', [name]))[0].id);
  };

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    fake = await startFakeOpenAI({ apiKey: KEY });
    redis = new Redis(redisUrl);
    producer = new BullJobQueue({ redisUrl, prefix });
  });
  afterAll(async () => {
    await producer.queue.obliterate({ force: true }).catch(() => undefined);
    await producer.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await fake.close();
    for (const rt of runtimes) await rt.close().catch(() => undefined);
    await db.drop();
  });

  it('refuses to start without Redis, saying the admin runs the jobs in embedded mode', async () => {
    const rt = await createRuntimeFromEnv('worker', db.env);
    runtimes.push(rt);
    await expect(createWorkerApp(rt)).rejects.toThrow(/REDIS_CONN_STRING.*embedded mode/s);
  });

  it('a master schedules the repeating jobs from env and runs them; health and metrics answer', async () => {
    let id = 0;
    // The channel exists before the schedules start: their first run is immediate.
    const { rt, app } = await start({ CHANNEL_TEST_FREQUENCY: '1', CHANNEL_UPDATE_FREQUENCY: '0' }, async (r) => {
      id = await addChannel(r, 'scheduled');
    });
    try {
      const schedulers = await producer.queue.getJobSchedulers();
      expect(schedulers.map((s) => s.name).sort()).toEqual([JobName.ChannelTestAll, JobName.LogsRetention, JobName.ReservationsSweep].sort());
      expect(schedulers.find((s) => s.name === JobName.ChannelTestAll)?.every).toBe(60_000);
      // `every` schedules run once right away, then every period.
      await waitUntil(async () => (await testLogCount(rt, id)) === 1, 15_000, 'the scheduled channel test');
      await request(app.getHttpServer()).get('/healthz').expect(200);
      const ready = await request(app.getHttpServer()).get('/readyz').expect(200);
      expect(ready.body.checks).toEqual({ database: 'ok', redis: 'ok' });
      await waitUntil(async () => (await request(app.getHttpServer()).get('/metrics')).text.includes('oneapi_jobs_total{name="channel.test-all",status="completed"'), 5000, 'the job metric');
    } finally {
      await app.close();
    }
    for (const s of await producer.queue.getJobSchedulers()) await producer.queue.removeJobScheduler(s.key);
  });

  it('a slave node does not schedule', async () => {
    const { app } = await start({ NODE_TYPE: 'slave', CHANNEL_TEST_FREQUENCY: '1' });
    try {
      expect(await producer.queue.getJobSchedulersCount()).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('graceful shutdown finishes the current job before closing', async () => {
    const { rt, app } = await start({});
    const id = await addChannel(rt, 'slow');
    fake.setKnobs({ latencyMs: 800 });
    try {
      const before = fake.count('/chat/completions');
      await producer.enqueue(JobName.ChannelTest, { channelId: id });
      await waitUntil(() => fake.count('/chat/completions') > before, 10_000, 'the upstream request');
      await app.close();
      expect(await testLogCount(rt, id)).toBe(1);
    } finally {
      fake.resetKnobs();
    }
  });
});
