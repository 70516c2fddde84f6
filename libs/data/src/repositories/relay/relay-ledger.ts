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
/**
 * Settlements are written in their own groups at most this long after they arrive: the client
 * already has its reply, and a transaction commits its pages (the logs table and its indexes
 * above all) once however many rows it holds. Reservations go out at the end of their turn.
 */
const SETTLE_DELAY_MS = 50;
/** A settlement group this large goes out without waiting for the delay. */
const SETTLE_GROUP_MAX = 500;
const SETTLE_BACKOFF_MS = [100, 200, 500, 1_000, 2_000, 5_000];

/**
 * The relay's money: every admitted request holds a durable reservation row keyed by its request
 * id, written in the same transaction as the conditional balance changes, and its settlement
 * deletes that row in the transaction that bills it, so a retried or duplicated settlement (or a
 * settlement racing the sweeper) changes nothing. Operations are grouped, one transaction per
 * group: the reservations of one event-loop turn (or that arrived while the previous group was
 * being written) together, joined by the settlements once they are SETTLE_DELAY_MS old. That is what
 * keeps the database's cost per request low on both SQLite and MySQL.
 *
 * Reservations fail fast (the caller answers 503); settlements never fail: they are retried with
 * backoff while the database is away and, if the process dies first, the sweeper releases their
 * reservations after the TTL.
 */
export class RelayLedger {
  readonly logsInline: boolean;
  /** Reservations waiting for the end of the turn (or for a free group slot). */
  private reserves: LedgerOp[] = [];
  /** Settlements and releases waiting for their group. */
  private settles: LedgerOp[] = [];
  /** Groups being written now. */
  private running = 0;
  private scheduled = false;
  private closed = false;
  private closing = false;
  private delayTimer: NodeJS.Timeout | undefined;
  private settleDue = false;
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
    return this.reserves.length + this.settles.length + this.retryTimers.size + this.running;
  }

  /**
   * Waits until everything queued is written, or until `deadlineMs`; then stops. Settlements
   * still unwritten fail (their reservations stay held until the sweeper releases them).
   */
  async close(deadlineMs = 10_000): Promise<void> {
    this.closing = true;
    this.schedule();
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
    clearTimeout(this.delayTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const left = [...this.reserves, ...this.settles];
    this.reserves = [];
    this.settles = [];
    const error = new Error('the relay stopped before this settlement reached the database');
    for (const op of left) op.reject(error);
    await this.store.close();
  }

  private push(op: LedgerOp): void {
    if (op.kind === 'reserve') this.reserves.push(op);
    else {
      this.settles.push(op);
      if (this.settles.length >= SETTLE_GROUP_MAX) this.settleDue = true;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.settles.length > 0 && !this.settleDue && !this.delayTimer && !this.closing) {
      this.delayTimer = setTimeout(() => {
        this.delayTimer = undefined;
        this.settleDue = true;
        this.schedule();
      }, SETTLE_DELAY_MS);
    }
    if (this.scheduled || this.running >= this.store.parallelGroups) return;
    if (this.reserves.length > 0 || (this.settles.length > 0 && (this.settleDue || this.closing))) {
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
    if (this.running >= this.store.parallelGroups) return;
    let ops: LedgerOp[];
    // Due settlements ride with the turn's reservations, first (they free quota): under steady
    // traffic there is no turn without reservations, and they must not wait for one.
    if (this.settles.length > 0 && (this.settleDue || this.closing)) {
      ops = this.reserves.length > 0 ? this.settles.concat(this.reserves) : this.settles;
      this.settles = [];
      this.reserves = [];
      this.settleDue = false;
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
    } else if (this.reserves.length > 0) {
      ops = this.reserves;
      this.reserves = [];
    } else return this.checkIdle();
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
    // A second group may start beside this one where the store allows it.
    this.schedule();
  };

  private next(): void {
    this.running--;
    this.schedule();
    this.checkIdle();
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
