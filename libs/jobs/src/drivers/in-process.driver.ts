import { randomUUID } from 'node:crypto';
import type { JobContext } from '../job-context';
import type { JobName, JobPayloads } from '../job-names';
import type { ProcessorMap } from '../processors';
import { DEFAULT_RETRY, type EnqueueOptions, type JobQueue, type RetryPolicy } from './job-queue';

interface Pending {
  id: string;
  name: JobName;
  payload: unknown;
  attempt: number;
}

/**
 * Embedded mode (no Redis): the admin process runs the same processors itself, one job at a
 * time in FIFO order, with the same retry policy, and repeating jobs on timers. Jobs are kept
 * in memory only: a restart forgets queued jobs, which the schedules recreate.
 */
export class InProcessJobQueue implements JobQueue {
  readonly driver = 'in-process' as const;
  private readonly pending: Pending[] = [];
  private readonly ids = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly schedules = new Map<JobName, NodeJS.Timeout>();
  private current: Promise<void> | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly ctx: JobContext,
    private readonly processors: ProcessorMap,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<string> {
    if (this.closed) throw new Error('the job queue is closed');
    const id = opts.jobId ?? randomUUID();
    if (this.ids.has(id)) return id;
    this.ids.add(id);
    const job: Pending = { id, name, payload, attempt: 0 };
    if (opts.delayMs && opts.delayMs > 0) this.later(opts.delayMs, () => this.push(job));
    else this.push(job);
    return id;
  }

  async schedule<N extends JobName>(name: N, payload: JobPayloads[N], everyMs: number): Promise<void> {
    const prev = this.schedules.get(name);
    if (prev) clearInterval(prev);
    this.schedules.delete(name);
    if (everyMs <= 0 || this.closed) return;
    // Like One API's goroutines: the first run comes one period after start.
    const timer = setInterval(() => void this.enqueue(name, payload).catch(() => undefined), everyMs);
    timer.unref();
    this.schedules.set(name, timer);
  }

  /** Resolves when nothing is queued or running (tests). */
  idle(): Promise<void> {
    if (!this.current && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the schedules and retries, drops queued jobs, and waits for the running one. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.schedules.values()) clearInterval(t);
    for (const t of this.timers) clearTimeout(t);
    this.schedules.clear();
    this.timers.clear();
    this.pending.length = 0;
    await this.current;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private push(job: Pending): void {
    if (this.closed) return;
    this.pending.push(job);
    if (!this.current) this.current = this.pump();
  }

  private async pump(): Promise<void> {
    // Let the caller's request finish before the first job starts.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0 && !this.closed) {
      const job = this.pending.shift() as Pending;
      await this.run(job);
    }
    this.current = undefined;
    if (this.pending.length > 0 && !this.closed) {
      this.current = this.pump();
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async run(job: Pending): Promise<void> {
    const processor = this.processors[job.name] as (ctx: JobContext, payload: unknown) => Promise<unknown>;
    try {
      await processor(this.ctx, job.payload);
      this.ids.delete(job.id);
    } catch (error) {
      job.attempt++;
      const message = (error as Error).message;
      if (job.attempt < this.retry.attempts) {
        const delay = this.retry.backoffMs * 2 ** (job.attempt - 1);
        this.ctx.logger.warn({ job: job.name, attempt: job.attempt, retry_in_ms: delay, err: message }, 'job failed, will retry');
        this.later(delay, () => this.push(job));
      } else {
        this.ids.delete(job.id);
        this.ctx.logger.error({ job: job.name, attempts: job.attempt, err: message }, 'job failed');
      }
    }
  }
}
