import { hostname } from 'node:os';
import type { Database } from '../../database';
import { MysqlLedgerStore } from './ledger-mysql';
import { SqliteLedgerStore } from './ledger-sqlite';
import type { LedgerOp, LedgerReservation, LedgerSettlement, LedgerStore, ReserveResult, SettleResult } from './ledger-types';

export interface RelayLedgerOptions {
  /** RESERVATION_TTL in milliseconds: a reservation not settled or extended by then is swept. */
  ttlMs: number;
  /** Written on each reservation row (which relay held it). */
  node?: string;
  /** Told about groups that failed and will be retried. */
  onRetry?: (error: unknown, settlements: number) => void;
}

/** How long a reservation keeps retrying a busy or deadlocked database before the caller gets 503. */
const RESERVE_RETRY_MS = 1_000;
const SETTLE_BACKOFF_MS = [100, 200, 500, 1_000, 2_000, 5_000];

/**
 * The relay's money: every admitted request holds a durable reservation row keyed by its request
 * id, written in the same transaction as the conditional balance changes, and its settlement
 * deletes that row in the transaction that bills it, so a retried or duplicated settlement (or a
 * settlement racing the sweeper) changes nothing. Operations are grouped: whatever arrives while
 * the previous group is being written goes out as the next group (one transaction each), which
 * is what keeps the database's cost per request low on both SQLite and MySQL.
 *
 * Reservations fail fast (the caller answers 503); settlements never fail: they are retried with
 * backoff while the database is away and, if the process dies first, the sweeper releases their
 * reservations after the TTL.
 */
export class RelayLedger {
  readonly logsInline: boolean;
  private queue: LedgerOp[] = [];
  /** Groups being written now. */
  private running = 0;
  private scheduled = false;
  private closed = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private idle: Array<() => void> = [];

  constructor(
    private readonly store: LedgerStore,
    private readonly options: RelayLedgerOptions,
  ) {
    this.logsInline = store.logsInline;
  }

  static open(db: Database, options: RelayLedgerOptions): RelayLedger {
    const node = (options.node ?? `${hostname()}:${process.pid}`).slice(0, 64);
    const store = db.kind === 'sqlite' ? new SqliteLedgerStore(db, node) : new MysqlLedgerStore(db, node);
    return new RelayLedger(store, options);
  }

  reserve(r: LedgerReservation): Promise<ReserveResult> {
    if (this.closed) return Promise.reject(new Error('the ledger is closed'));
    const started = Date.now();
    return new Promise<ReserveResult>((resolve, reject) => {
      const op: LedgerOp = {
        kind: 'reserve',
        r,
        resolve,
        reject: (error) => {
          if (!this.closed && isTransient(error) && Date.now() - started < RESERVE_RETRY_MS) this.later(op, 20);
          else reject(error);
        },
      };
      this.push(op);
    });
  }

  /** Resolves once the settlement is durable ('absent': it was settled or swept before). */
  settle(s: LedgerSettlement): Promise<SettleResult> {
    if (this.closed) return Promise.reject(new Error('the ledger is closed'));
    return new Promise<SettleResult>((resolve, reject) => {
      let attempt = 0;
      const op: LedgerOp = {
        kind: 'settle',
        s,
        resolve,
        reject: (error) => {
          if (this.closed) return reject(error);
          this.options.onRetry?.(error, 1);
          this.later(op, SETTLE_BACKOFF_MS[Math.min(attempt++, SETTLE_BACKOFF_MS.length - 1)]);
        },
      };
      this.push(op);
    });
  }

  /** Keeps the reservations of requests still running from being swept. */
  extend(requestIds: string[]): Promise<void> {
    return this.store.extend(requestIds, Date.now() + this.options.ttlMs);
  }

  /** Operations queued, running or waiting for a retry. */
  get pending(): number {
    return this.queue.length + this.retryTimers.size + this.running;
  }

  /**
   * Waits until everything queued is written, or until `deadlineMs`; then stops. Settlements
   * still unwritten fail (their reservations stay held until the sweeper releases them).
   */
  async close(deadlineMs = 10_000): Promise<void> {
    if (this.pending > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadlineMs);
        timer.unref();
        this.idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.closed = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const left = this.queue;
    this.queue = [];
    const error = new Error('the relay stopped before this settlement reached the database');
    for (const op of left) op.reject(error);
    await this.store.close();
  }

  private push(op: LedgerOp): void {
    this.queue.push(op);
    if (this.running < this.store.parallelGroups && !this.scheduled) {
      this.scheduled = true;
      // After the poll phase: every request read from a socket in this turn has queued by then.
      setImmediate(this.flush);
    }
  }

  private later(op: LedgerOp, ms: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.push(op);
    }, ms);
    this.retryTimers.add(timer);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.running >= this.store.parallelGroups || this.queue.length === 0) return this.checkIdle();
    const ops = this.queue;
    this.queue = [];
    this.running++;
    const now = Date.now();
    let done: Promise<void>;
    try {
      done = this.store.apply(ops, now, now + this.options.ttlMs);
    } catch (error) {
      done = Promise.reject(error);
    }
    done.then(
      () => this.next(),
      (error: unknown) => {
        for (const op of ops) op.reject(error);
        this.next();
      },
    );
  };

  private next(): void {
    this.running--;
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    } else this.checkIdle();
  }

  private checkIdle(): void {
    if (this.pending > 0 || this.idle.length === 0) return;
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }
}

/** Errors worth a quick retry inside a reservation's one-second budget (a lock, not an outage). */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}
