import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { loadTestEnv } from '@oneapi/config';
import { createRuntimeFromEnv, type ServiceRuntime } from '@oneapi/platform';
import { createTestDatabase, startFakeOpenAI, type FakeUpstream, type TestDatabase } from '@oneapi/testing';
import { channelState, insertChannel, testLogs, waitUntil } from '../__tests__/fixtures';
import type { JobContext } from '../job-context';
import { JobName } from '../job-names';
import { PROCESSORS, type ProcessorMap } from '../processors';
import { MemoryRunStore, RedisRunStore } from '../run-store';
import { createJobContext } from '../runtime-jobs';
import { BullJobQueue, BullJobWorker } from './bullmq.driver';
import { InProcessJobQueue } from './in-process.driver';

const KEY = 'sk-bull-key';
const redisUrl = loadTestEnv().redisUrl;

/** Two "worker processes": each its own runtime (database connection, Redis connections). */
describe('BullMQ driver on Redis', () => {
  const prefix = `oneapi-test-${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let runtimes: ServiceRuntime[];
  let fake: FakeUpstream;
  let redis: Redis;
  let producer: BullJobQueue;
  const open: BullJobWorker[] = [];

  const context = (rt: ServiceRuntime): JobContext => createJobContext(rt, new RedisRunStore(redis, prefix), { mailer: null });
  const startWorker = async (rt: ServiceRuntime, processors: ProcessorMap = PROCESSORS) => {
    const w = new BullJobWorker({ redisUrl, prefix, ctx: context(rt), processors, logger: rt.logger, metrics: rt.metrics });
    open.push(w);
    await w.ready();
    return w;
  };

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const env = { ...db.env, REDIS_CONN_STRING: redisUrl };
    runtimes = [await createRuntimeFromEnv('worker', env), await createRuntimeFromEnv('worker', env)];
    fake = await startFakeOpenAI({ apiKey: KEY });
    redis = new Redis(redisUrl);
    producer = new BullJobQueue({ redisUrl, prefix }, { attempts: 3, backoffMs: 50 });
  });
  afterAll(async () => {
    for (const w of open) await w.close().catch(() => undefined);
    await producer.queue.obliterate({ force: true }).catch(() => undefined);
    await producer.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await fake.close();
    for (const rt of runtimes) await rt.close();
    await db.drop();
  });
  afterEach(async () => {
    for (const w of open.splice(0)) await w.close();
  });

  it('a scheduled test-all runs once across two workers', async () => {
    const [a, b] = runtimes;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await insertChannel(a.db, { key: KEY, baseUrl: fake.url }));
    const completed: string[] = [];
    const w1 = await startWorker(a);
    const w2 = await startWorker(b);
    for (const w of [w1, w2]) w.worker.on('completed', (job) => completed.push(`${job.name}:${job.id}`));

    // Both "masters" upsert the same schedule: still one scheduler, one run per period.
    await producer.schedule(JobName.ChannelTestAll, {}, 60_000);
    await producer.schedule(JobName.ChannelTestAll, {}, 60_000);
    expect(await producer.queue.getJobSchedulersCount()).toBe(1);

    const runs = new RedisRunStore(redis, prefix);
    await waitUntil(async () => (await runs.get(JobName.ChannelTestAll)).last !== undefined, 15_000, 'the test-all run');
    expect((await runs.get(JobName.ChannelTestAll)).last).toMatchObject({ total: 3, succeeded: 3 });
    // Give a duplicate (if any) the time to show up before counting.
    await new Promise((r) => setTimeout(r, 500));
    expect(completed.filter((c) => c.startsWith(JobName.ChannelTestAll))).toHaveLength(1);
    expect(fake.count('/chat/completions')).toBe(3);
    expect(await testLogs(a.db)).toHaveLength(3);
    for (const id of ids) expect((await channelState(a.db, id)).testTime).toBeGreaterThan(0);

    await producer.schedule(JobName.ChannelTestAll, {}, 0);
    expect(await producer.queue.getJobSchedulersCount()).toBe(0);
  });

  it('a run claimed by the admin API (runId in the payload) is run by a worker under the same lease', async () => {
    const [a] = runtimes;
    await insertChannel(a.db, { key: KEY, baseUrl: fake.url });
    const runs = new RedisRunStore(redis, prefix);
    expect(await runs.claim(JobName.ChannelTestAll, 'run-from-admin')).toBe(true);
    expect(await runs.claim(JobName.ChannelTestAll, 'another')).toBe(false);
    await producer.enqueue(JobName.ChannelTestAll, { runId: 'run-from-admin' }, { jobId: 'run-from-admin' });
    await startWorker(a);
    await waitUntil(async () => (await runs.get(JobName.ChannelTestAll)).last?.run_id === 'run-from-admin', 15_000, 'the claimed run');
    const state = await runs.get(JobName.ChannelTestAll);
    expect(state.running).toBe(false);
    expect(state.last?.total).toBeGreaterThan(0);
    expect(await runs.claim(JobName.ChannelTestAll, 'next')).toBe(true);
    await runs.release(JobName.ChannelTestAll, 'next');
  });

  it('a job survives a worker restart', async () => {
    const [a, b] = runtimes;
    const id = await insertChannel(a.db, { key: KEY, baseUrl: fake.url });
    const first = await startWorker(a);
    await first.close();
    open.splice(open.indexOf(first), 1);

    await producer.enqueue(JobName.ChannelTest, { channelId: id });
    expect(JSON.stringify(await producer.queue.getJobs(['waiting']))).not.toContain(KEY);
    await startWorker(b);
    await waitUntil(async () => (await testLogs(a.db, id)).length === 1, 15_000, 'the test log');
    expect((await channelState(a.db, id)).responseTime).toBeGreaterThan(0);
  });

  it('retries a transient failure with backoff', async () => {
    const [a] = runtimes;
    let calls = 0;
    const flaky: ProcessorMap = {
      ...PROCESSORS,
      [JobName.ChannelUpdateBalance]: async (ctx, payload) => {
        calls++;
        if (calls === 1) throw new Error('database is locked');
        return PROCESSORS[JobName.ChannelUpdateBalance](ctx, payload);
      },
    };
    const id = await insertChannel(a.db, { key: KEY, baseUrl: fake.url });
    const w = await startWorker(a, flaky);
    const done = new Promise<number>((resolve) => w.worker.on('completed', (job) => resolve(job.attemptsMade)));
    await producer.enqueue(JobName.ChannelUpdateBalance, { channelId: id });
    expect(await done).toBe(2); // attemptsMade counts the failed attempt and the successful one
    expect(calls).toBe(2);
    expect((await channelState(a.db, id)).balance).toBeCloseTo(99.5);
  });
});

describe('in-process driver', () => {
  it('retries a failing job with backoff and runs schedules on timers', async () => {
    const db = await createTestDatabase('sqlite');
    const rt = await createRuntimeFromEnv('admin', db.env);
    try {
      let calls = 0;
      const seen: number[] = [];
      const processors: ProcessorMap = {
        ...PROCESSORS,
        [JobName.LogsRetention]: async () => {
          calls++;
          seen.push(Date.now());
          if (calls === 1) throw new Error('transient');
          return { ok: true };
        },
      };
      const queue = new InProcessJobQueue(createJobContext(rt, new MemoryRunStore(), { mailer: null }), processors, { attempts: 3, backoffMs: 50 });
      await queue.enqueue(JobName.LogsRetention, {});
      await waitUntil(() => calls === 2, 5000, 'the retry');
      expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(45);

      await queue.schedule(JobName.LogsRetention, {}, 40);
      await waitUntil(() => calls >= 4, 5000, 'two scheduled runs');
      await queue.close();
      const after = calls;
      await new Promise((r) => setTimeout(r, 120));
      expect(calls).toBe(after);
    } finally {
      await rt.close();
      await db.drop();
    }
  });
});

