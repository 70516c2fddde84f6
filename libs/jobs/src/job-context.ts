import type { Logger } from 'pino';
import type { CacheBus } from '@oneapi/cache';
import type { Database } from '@oneapi/data';
import type { BalanceFetch } from '@oneapi/providers';
import type { RunStore } from './run-store';

/** The part of `@oneapi/platform`'s Mailer the jobs use (root notices). */
export interface JobMailer {
  isConfigured(): boolean;
  send(message: { to: string | string[]; subject: string; html: string; text?: string }): Promise<void>;
}

/** Job settings from the environment (validated by libs/config). */
export interface JobSettings {
  /** POLLING_INTERVAL in ms: pause between two channels of one batch. */
  pollingIntervalMs: number;
  /** LOG_RETENTION_DAYS (0 = off); the `LogRetentionDays` option overrides it when set. */
  logRetentionDays: number;
  /** Rows deleted per statement by the log retention job. */
  retentionBatchSize: number;
  /** Timeout of one channel test request. */
  testTimeoutMs: number;
  /** Prompt of the channel test request (TEST_PROMPT). */
  testPrompt: string;
  /** Outbound proxy of channel tests and balance queries without one of their own (RELAY_PROXY). */
  relayProxy?: string;
  /** Period of the reservation sweep: min(60, max(1, RESERVATION_TTL / 2)) seconds. */
  reservationSweepEveryMs: number;
  /** Expired reservations released per sweep (at most 500). */
  reservationSweepBatchSize: number;
}

export const DEFAULT_JOB_SETTINGS: JobSettings = {
  pollingIntervalMs: 0,
  logRetentionDays: 0,
  retentionBatchSize: 1000,
  testTimeoutMs: 60_000,
  testPrompt: 'hi',
  reservationSweepEveryMs: 60_000,
  reservationSweepBatchSize: 500,
};

/**
 * Everything a processor needs. Processors are functions of this context and a payload, so the
 * BullMQ worker, the in-process driver (embedded mode) and the admin API (single-channel test)
 * run the same code.
 */
export interface JobContext {
  db: Database;
  /** The options map (One API's string values; `OptionsStore.raw()`). */
  options: { raw(): Readonly<Record<string, string>> };
  /** Cache invalidation: `{topic:'channels'}` after any channel status change. */
  bus: Pick<CacheBus, 'publish'>;
  logger: Logger;
  /** Root notices (auto-disabled channels); null when none is wired. */
  mailer: JobMailer | null;
  /** Progress and last result of the "all channels" runs. */
  runs: RunStore;
  settings: JobSettings;
  /** Stored channel key → usable key (CHANNEL_KEY_SECRET decryption); identity when absent. */
  decodeKey?: (stored: string) => string;
  /** Balance HTTP client override (default: undici). */
  balanceFetch?: BalanceFetch;
  /** Clock (seconds since epoch); tests may pin it. */
  now?: () => number;
}

export const nowSeconds = (ctx: Pick<JobContext, 'now'>): number => (ctx.now ? ctx.now() : Math.floor(Date.now() / 1000));
