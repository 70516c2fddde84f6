import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { traceJob } from '@oneapi/platform';
import type { JobContext } from '../job-context';
import { isJobName, type JobName, type JobPayloads } from '../job-names';
import type { ProcessorMap } from '../processors';
import { DEFAULT_RETRY, type EnqueueOptions, type JobQueue, type RetryPolicy } from './job-queue';

/** The one BullMQ queue every job goes through (the job name selects the processor). */
export const QUEUE_NAME = 'oneapi-jobs';

export interface BullConnectionOptions {
  /** redis://... (REDIS_CONN_STRING). */
  redisUrl: string;
  /** Key prefix; tests use a unique one per run so runs never collide. */
  prefix?: string;
}

export const DEFAULT_PREFIX = 'oneapi';

/**
 * A connection for BullMQ. Workers block on Redis, so commands must wait for reconnection rather
 * than fail (`maxRetriesPerRequest: null`, as BullMQ requires for workers).
 */
function bullRedis(url: string, name: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name, connectTimeout: 5000 });
  redis.on('error', () => undefined);
  return redis;
}

/** Producer on Redis: relay/admin enqueue, apps/worker consumes. */
export class BullJobQueue implements JobQueue {
  readonly driver = 'bullmq' as const;
  private state: { connection: Redis; queue: Queue } | undefined;

  constructor(
    private readonly opts: BullConnectionOptions,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** The BullMQ queue, connected on first use (an admin that never enqueues never touches Redis for it). */
  get queue(): Queue {
    if (!this.state) {
      const connection = bullRedis(this.opts.redisUrl, 'oneapi-jobs-producer');
      const queue = new Queue(QUEUE_NAME, { connection, prefix: this.opts.prefix ?? DEFAULT_PREFIX });
      queue.on('error', () => undefined);
      this.state = { connection, queue };
    }
    return this.state.queue;
  }

  private jobOptions() {
    return {
      attempts: this.retry.attempts,
      backoff: { type: 'exponential' as const, delay: this.retry.backoffMs },
      // Keep a bounded history for inspection; ids of finished jobs are freed after a day.
      removeOnComplete: { age: 86_400, count: 1000 },
      removeOnFail: { age: 7 * 86_400, count: 1000 },
    };
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<string> {
    const job = await this.queue.add(name, payload, { ...this.jobOptions(), jobId: opts.jobId, delay: opts.delayMs });
    return String(job.id);
  }

  async schedule<N extends JobName>(name: N, payload: JobPayloads[N], everyMs: number): Promise<void> {
    if (everyMs > 0) await this.queue.upsertJobScheduler(name, { every: everyMs }, { name, data: payload, opts: this.jobOptions() });
    else await this.queue.removeJobScheduler(name);
  }

  async close(): Promise<void> {
    const state = this.state;
    this.state = undefined;
    if (!state) return;
    await state.queue.close();
    await state.connection.quit().catch(() => state.connection.disconnect());
  }
}

export interface BullJobWorkerOptions extends BullConnectionOptions {
  ctx: JobContext;
  processors: ProcessorMap;
  logger: Logger;
  metrics?: Registry;
  /** Jobs run at once per worker; 1 keeps channel tests spaced as POLLING_INTERVAL intends. */
  concurrency?: number;
}

function jobCounter(registry: Registry | undefined): Counter<'name' | 'status'> | undefined {
  if (!registry) return undefined;
  const name = 'oneapi_jobs_total';
  return (
    (registry.getSingleMetric(name) as Counter<'name' | 'status'> | undefined) ??
    new Counter({ name, help: 'Background jobs processed, by job name and outcome', labelNames: ['name', 'status'], registers: [registry] })
  );
}

/**
 * Consumer on Redis (apps/worker only). Several workers on one queue never run a job twice:
 * BullMQ hands each job to one worker under a lock, and a crashed worker's job is picked up again
 * when its lock stalls. `close()` waits for the current job to finish.
 */
export class BullJobWorker {
  private readonly connection: Redis;
  readonly worker: Worker;

  constructor(opts: BullJobWorkerOptions) {
    this.connection = bullRedis(opts.redisUrl, 'oneapi-jobs-worker');
    const counter = jobCounter(opts.metrics);
    this.worker = new Worker(
      QUEUE_NAME,
      async (job: Job) => {
        if (!isJobName(job.name)) throw new UnrecoverableError(`unknown job ${job.name}`);
        const processor = opts.processors[job.name] as (ctx: JobContext, payload: unknown) => Promise<unknown>;
        return traceJob({ queue: QUEUE_NAME, name: job.name, id: job.id, attemptsMade: job.attemptsMade }, () => processor(opts.ctx, job.data));
      },
      { connection: this.connection, prefix: opts.prefix ?? DEFAULT_PREFIX, concurrency: opts.concurrency ?? 1 },
    );
    this.worker.on('completed', (job) => {
      counter?.inc({ name: job.name, status: 'completed' });
      opts.logger.debug({ job: job.name, id: job.id }, 'job completed');
    });
    this.worker.on('failed', (job, error) => {
      counter?.inc({ name: job?.name ?? 'unknown', status: 'failed' });
      opts.logger.warn({ job: job?.name, id: job?.id, attempt: job?.attemptsMade, err: error.message }, 'job failed');
    });
    this.worker.on('error', (error) => opts.logger.warn({ err: error.message }, 'job worker error'));
  }

  /** Resolves once the worker is connected and waiting for jobs. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Stops taking jobs, lets the current one finish, then disconnects. */
  async close(): Promise<void> {
    await this.worker.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
