import type { AppConfig } from '@oneapi/config';
import { createChannelKeyCipher } from '@oneapi/data';
import { Mailer, type ServiceRuntime } from '@oneapi/platform';
import { createBalanceFetch, setGeminiDefaultVersion } from '@oneapi/providers';
import { DEFAULT_PREFIX, BullJobQueue } from './drivers/bullmq.driver';
import { InProcessJobQueue } from './drivers/in-process.driver';
import type { JobQueue, RetryPolicy } from './drivers/job-queue';
import { DEFAULT_JOB_SETTINGS, type JobContext, type JobMailer, type JobSettings } from './job-context';
import { JobName, type JobPayloads } from './job-names';
import { PROCESSORS, type ProcessorMap } from './processors';
import { MemoryRunStore, RedisRunStore, type RunStore } from './run-store';

export interface JobsOptions {
  /** BullMQ and run-store key prefix (tests use a unique one). */
  prefix?: string;
  retry?: RetryPolicy;
  settings?: Partial<JobSettings>;
  /** Root notices; default: the SMTP mailer configured from the options. */
  mailer?: JobMailer | null;
  /** Stored channel key → usable key; default: decrypt with CHANNEL_KEY_SECRET (plaintext passes through). */
  decodeKey?: (stored: string) => string;
  processors?: ProcessorMap;
}

/**
 * How often expired reservations are swept: twice per RESERVATION_TTL, so a reservation is
 * released at most 1.5 TTL after its request stopped extending it, but at least once a minute
 * (a long TTL should not leave a crashed node's holds for many minutes past it) and at most once
 * a second.
 */
export function reservationSweepEveryMs(ttlSeconds: number): number {
  return Math.round(Math.min(60, Math.max(1, ttlSeconds / 2)) * 1000);
}

/** POLLING_INTERVAL, LOG_RETENTION_DAYS and RESERVATION_TTL from the validated environment. */
export function jobSettingsFromConfig(config: AppConfig): JobSettings {
  return {
    ...DEFAULT_JOB_SETTINGS,
    pollingIntervalMs: config.env.POLLING_INTERVAL * 1000,
    logRetentionDays: config.env.LOG_RETENTION_DAYS,
    reservationSweepEveryMs: reservationSweepEveryMs(config.env.RESERVATION_TTL),
    testPrompt: config.env.TEST_PROMPT ?? DEFAULT_JOB_SETTINGS.testPrompt,
    relayProxy: config.env.RELAY_PROXY,
  };
}

/** Redis-backed in distributed mode (admin and workers share it), memory in embedded mode. */
export function createRunStore(runtime: ServiceRuntime, prefix = DEFAULT_PREFIX): RunStore {
  return runtime.redis ? new RedisRunStore(runtime.redis, prefix) : new MemoryRunStore();
}

/** The context processors run with in this process. */
export function createJobContext(runtime: ServiceRuntime, runs: RunStore, opts: JobsOptions = {}): JobContext {
  setGeminiDefaultVersion(runtime.config.env.GEMINI_VERSION);
  return {
    db: runtime.db,
    options: runtime.options,
    bus: runtime.bus,
    logger: runtime.logger.child({ component: 'jobs' }),
    mailer: opts.mailer === undefined ? Mailer.fromOptions(runtime.options) : opts.mailer,
    runs,
    settings: { ...jobSettingsFromConfig(runtime.config), ...opts.settings },
    decodeKey: opts.decodeKey ?? createChannelKeyCipher(runtime.config.env.CHANNEL_KEY_SECRET).decrypt,
    ...(runtime.config.env.RELAY_PROXY ? { balanceFetch: createBalanceFetch(runtime.config.env.RELAY_PROXY) } : {}),
  };
}

/**
 * The producer for this process: BullMQ when Redis is configured (apps/worker consumes), else the
 * in-process driver running PROCESSORS with `ctx` (embedded mode).
 */
export function createJobQueue(runtime: ServiceRuntime, ctx: JobContext, opts: JobsOptions = {}): JobQueue {
  if (runtime.config.redisUrl) return new BullJobQueue({ redisUrl: runtime.config.redisUrl, prefix: opts.prefix }, opts.retry);
  return new InProcessJobQueue(ctx, opts.processors ?? PROCESSORS, opts.retry);
}

export interface RepeatingJob<N extends keyof JobPayloads = keyof JobPayloads> {
  name: N;
  payload: JobPayloads[N];
  /** 0 = off (an existing schedule is removed). */
  everyMs: number;
}

/** Log retention runs hourly (a no-op while retention is off, so the option can turn it on live). */
export const LOG_RETENTION_EVERY_MS = 60 * 60_000;

/**
 * CHANNEL_TEST_FREQUENCY and CHANNEL_UPDATE_FREQUENCY are minutes, as in One API. The reservation
 * sweep always runs: a reservation left by a crashed relay holds the user's quota until it does.
 */
export function repeatingJobs(config: AppConfig): RepeatingJob[] {
  return [
    { name: JobName.ChannelTestAll, payload: {}, everyMs: config.env.CHANNEL_TEST_FREQUENCY * 60_000 },
    { name: JobName.ChannelUpdateBalanceAll, payload: {}, everyMs: config.env.CHANNEL_UPDATE_FREQUENCY * 60_000 },
    { name: JobName.LogsRetention, payload: {}, everyMs: LOG_RETENTION_EVERY_MS },
    { name: JobName.ReservationsSweep, payload: {}, everyMs: jobSettingsFromConfig(config).reservationSweepEveryMs },
  ];
}

/** Installs (or removes) the repeating jobs; only a master node schedules. Returns what it did. */
export async function scheduleRepeatingJobs(queue: JobQueue, config: AppConfig): Promise<RepeatingJob[]> {
  if (!config.isMaster) return [];
  const jobs = repeatingJobs(config);
  for (const job of jobs) await queue.schedule(job.name, job.payload as never, job.everyMs);
  return jobs.filter((j) => j.everyMs > 0);
}
