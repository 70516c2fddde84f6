import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { envSchema, loadTestEnv, tracingConfig } from '@oneapi/config';
import { BullJobQueue, JobName, PROCESSORS, QUEUE_NAME } from '@oneapi/jobs';
import { createRuntimeFromEnv, startTracing, stopTracing, type ServiceRuntime, type Tracing } from '@oneapi/platform';
import { createTestDatabase, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan, type TestDatabase } from '@oneapi/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createWorkerApp } from './worker.app';

const redisUrl = loadTestEnv().redisUrl;
const CONSUMER = 5;
const ERROR = 2;

describe('worker tracing: a span per BullMQ job', () => {
  const prefix = `oneapi-test-${randomBytes(4).toString('hex')}`;
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let db: TestDatabase;
  let rt: ServiceRuntime;
  let app: NestFastifyApplication;
  let redis: Redis;
  let producer: BullJobQueue;

  /** Job spans matching `predicate`, flushing the exporter until `count` arrived. */
  const jobSpans = async (predicate: (s: ReceivedSpan) => boolean, count: number): Promise<ReceivedSpan[]> => {
    const matching = () => receiver.spans.filter((s) => s.kind === CONSUMER && predicate(s));
    const deadline = Date.now() + 10_000;
    while (matching().length < count && Date.now() < deadline) {
      await tracing.forceFlush();
      if (matching().length < count) await new Promise((r) => setTimeout(r, 25));
    }
    return matching();
  };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const started = startTracing('oneapi-worker', tracingConfig(envSchema.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url })));
    if (!started) throw new Error('tracing did not start');
    tracing = started;
    db = await createTestDatabase('sqlite');
    // A master migrates the database; the worker is a slave, which schedules nothing, so the
    // only jobs are the ones this suite enqueues.
    await (await createRuntimeFromEnv('worker', db.env)).close();
    rt = await createRuntimeFromEnv('worker', { ...db.env, REDIS_CONN_STRING: redisUrl, NODE_TYPE: 'slave' });
    const processors = {
      ...PROCESSORS,
      [JobName.LogsRetention]: () => Promise.reject(new Error('retention failed on purpose')),
    };
    app = await createWorkerApp(rt, { prefix, mailer: null, processors });
    await app.listen(0, '127.0.0.1');
    redis = new Redis(redisUrl);
    producer = new BullJobQueue({ redisUrl, prefix }, { attempts: 2, backoffMs: 10 });
  });
  afterAll(async () => {
    await app?.close();
    await producer?.queue.obliterate({ force: true }).catch(() => undefined);
    await producer?.close();
    const keys = (await redis?.keys(`${prefix}:*`)) ?? [];
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
    await rt?.close();
    await db?.drop();
    await stopTracing();
    await receiver?.close();
  });

  it('a completed job: queue, job name and id, attempt 1, outcome completed', async () => {
    const id = await producer.enqueue(JobName.ReservationsSweep, {});
    const [s] = await jobSpans((x) => x.attributes['messaging.message.id'] === id, 1);
    expect(s.name).toBe(`process ${JobName.ReservationsSweep}`);
    expect(s.resource['service.name']).toBe('oneapi-worker');
    expect(s.attributes).toMatchObject({
      'messaging.system': 'bullmq',
      'messaging.destination.name': QUEUE_NAME,
      'oneapi.job.name': JobName.ReservationsSweep,
      'oneapi.job.attempt': 1,
      'oneapi.job.outcome': 'completed',
    });
    expect(s.status.code).not.toBe(ERROR);
  });

  it('a failing job: one span per attempt, each failed with the error', async () => {
    const id = await producer.enqueue(JobName.LogsRetention, {});
    const spans = await jobSpans((x) => x.attributes['messaging.message.id'] === id, 2);
    expect(spans.map((s) => s.attributes['oneapi.job.attempt']).sort()).toEqual([1, 2]);
    for (const s of spans) {
      expect(s.attributes).toMatchObject({ 'oneapi.job.outcome': 'failed', 'error.type': 'Error' });
      expect(s.status).toMatchObject({ code: ERROR, message: 'retention failed on purpose' });
    }
  });
});
