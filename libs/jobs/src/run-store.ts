import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { BatchJobName } from './job-names';

/** Progress and last result of one kind of "all channels" run, as the admin API shows it. */
export interface RunState {
  running: boolean;
  /** Set while running. */
  run_id?: string;
  started_at?: number;
  done: number;
  total: number;
  last?: RunResult;
}

export interface RunResult {
  run_id: string;
  started_at: number;
  finished_at: number;
  success: boolean;
  message: string;
  total: number;
  succeeded: number;
  failed: number;
  /** Channels auto-disabled / re-enabled by this run. */
  disabled: number;
  enabled: number;
}

/**
 * Who runs which "all channels" batch. `claim` is a lease: one run of a kind at a time across
 * every process (a second "test all" while one runs is refused), renewed while the run makes
 * progress so a crashed worker's lease expires instead of blocking forever.
 */
export interface RunStore {
  /** Takes the lease for `runId` (or confirms it is already ours). False when another run holds it. */
  claim(kind: BatchJobName, runId: string): Promise<boolean>;
  progress(kind: BatchJobName, runId: string, done: number, total: number): Promise<void>;
  /** Records the result and releases the lease (only if still ours). */
  finish(kind: BatchJobName, result: RunResult): Promise<void>;
  /** Releases the lease without a result (enqueue failed, job will be retried...). */
  release(kind: BatchJobName, runId: string): Promise<void>;
  get(kind: BatchJobName): Promise<RunState>;
  close(): Promise<void>;
}

export const newRunId = (): string => randomUUID();

/** How long a lease lives without progress (a batch renews it on every channel). */
export const RUN_LEASE_MS = 15 * 60_000;

interface Live {
  run_id: string;
  started_at: number;
  done: number;
  total: number;
  expires: number;
}

/** Embedded mode: one process runs the jobs, so memory is the truth. */
export class MemoryRunStore implements RunStore {
  private readonly live = new Map<BatchJobName, Live>();
  private readonly last = new Map<BatchJobName, RunResult>();

  constructor(private readonly leaseMs = RUN_LEASE_MS) {}

  async claim(kind: BatchJobName, runId: string): Promise<boolean> {
    const cur = this.live.get(kind);
    if (cur && cur.expires > Date.now() && cur.run_id !== runId) return false;
    if (cur?.run_id === runId) {
      cur.expires = Date.now() + this.leaseMs;
      return true;
    }
    this.live.set(kind, { run_id: runId, started_at: Math.floor(Date.now() / 1000), done: 0, total: 0, expires: Date.now() + this.leaseMs });
    return true;
  }

  async progress(kind: BatchJobName, runId: string, done: number, total: number): Promise<void> {
    const cur = this.live.get(kind);
    if (cur?.run_id !== runId) return;
    Object.assign(cur, { done, total, expires: Date.now() + this.leaseMs });
  }

  async finish(kind: BatchJobName, result: RunResult): Promise<void> {
    this.last.set(kind, result);
    await this.release(kind, result.run_id);
  }

  async release(kind: BatchJobName, runId: string): Promise<void> {
    if (this.live.get(kind)?.run_id === runId) this.live.delete(kind);
  }

  async get(kind: BatchJobName): Promise<RunState> {
    const cur = this.live.get(kind);
    const running = Boolean(cur && cur.expires > Date.now());
    const last = this.last.get(kind);
    return running && cur
      ? { running, run_id: cur.run_id, started_at: cur.started_at, done: cur.done, total: cur.total, ...(last ? { last } : {}) }
      : { running: false, done: 0, total: 0, ...(last ? { last } : {}) };
  }

  async close(): Promise<void> {
    /* nothing to release */
  }
}

// Compare-and-delete / compare-and-extend, so a worker never drops or renews another run's lease.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0`;

/** Distributed mode: the lease is a Redis key (SET NX PX), progress and last result are JSON strings. */
export class RedisRunStore implements RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'oneapi',
    private readonly leaseMs = RUN_LEASE_MS,
  ) {}

  private key(kind: BatchJobName, part: 'lease' | 'progress' | 'last'): string {
    return `${this.prefix}:runs:${kind}:${part}`;
  }

  async claim(kind: BatchJobName, runId: string): Promise<boolean> {
    const set = await this.redis.set(this.key(kind, 'lease'), runId, 'PX', this.leaseMs, 'NX');
    if (set === 'OK') {
      const live = { run_id: runId, started_at: Math.floor(Date.now() / 1000), done: 0, total: 0 };
      await this.redis.set(this.key(kind, 'progress'), JSON.stringify(live), 'PX', this.leaseMs);
      return true;
    }
    return (await this.redis.eval(EXTEND, 1, this.key(kind, 'lease'), runId, String(this.leaseMs))) === 1;
  }

  async progress(kind: BatchJobName, runId: string, done: number, total: number): Promise<void> {
    const ours = (await this.redis.eval(EXTEND, 1, this.key(kind, 'lease'), runId, String(this.leaseMs))) === 1;
    if (!ours) return;
    const prev = await this.readJson<Live>(this.key(kind, 'progress'));
    const live = { run_id: runId, started_at: prev?.run_id === runId ? prev.started_at : Math.floor(Date.now() / 1000), done, total };
    await this.redis.set(this.key(kind, 'progress'), JSON.stringify(live), 'PX', this.leaseMs);
  }

  async finish(kind: BatchJobName, result: RunResult): Promise<void> {
    await this.redis.set(this.key(kind, 'last'), JSON.stringify(result));
    await this.release(kind, result.run_id);
  }

  async release(kind: BatchJobName, runId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(kind, 'lease'), runId);
  }

  async get(kind: BatchJobName): Promise<RunState> {
    const [lease, live, last] = await Promise.all([
      this.redis.get(this.key(kind, 'lease')),
      this.readJson<Omit<Live, 'expires'>>(this.key(kind, 'progress')),
      this.readJson<RunResult>(this.key(kind, 'last')),
    ]);
    const extra = last ? { last } : {};
    if (lease && live?.run_id === lease) return { running: true, run_id: lease, started_at: live.started_at, done: live.done, total: live.total, ...extra };
    if (lease) return { running: true, run_id: lease, done: 0, total: 0, ...extra };
    return { running: false, done: 0, total: 0, ...extra };
  }

  private async readJson<T>(key: string): Promise<T | undefined> {
    const text = await this.redis.get(key);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    /* the connection belongs to the caller */
  }
}
