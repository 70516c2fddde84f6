import type { JobName, JobPayloads } from '../job-names';

export interface EnqueueOptions {
  /** Deduplication id: a job with the same id is not added twice while it is kept. */
  jobId?: string;
  delayMs?: number;
}

/** Retry policy shared by both drivers: transient failures (a thrown error) are retried with exponential backoff. */
export interface RetryPolicy {
  attempts: number;
  /** First retry delay; doubles on each further attempt. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 5_000 };

/**
 * The producer side of the jobs, the same for both drivers: BullMQ on Redis (distributed mode;
 * consumed by apps/worker) and in-process (embedded mode; the admin process runs the jobs).
 */
export interface JobQueue {
  readonly driver: 'bullmq' | 'in-process';
  /** Adds a job and returns its id. */
  enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts?: EnqueueOptions): Promise<string>;
  /**
   * Repeats a job every `everyMs` (one schedule per job name, shared by every node: upserting it
   * again is harmless). `everyMs` 0 removes the schedule. Only a master node calls this.
   */
  schedule<N extends JobName>(name: N, payload: JobPayloads[N], everyMs: number): Promise<void>;
  close(): Promise<void>;
}
