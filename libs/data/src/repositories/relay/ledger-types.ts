import type { RelayLogRow } from './relay-log.repository';

/** Which side of a reservation was short. */
export type ReserveResult = 'ok' | 'token' | 'user';

/** What a settlement found: its reservation (and applied it) or nothing (settled or swept before). */
export type SettleResult = 'settled' | 'absent';

/** An admitted request's hold on token and user, recorded under its request id. */
export interface LedgerReservation {
  requestId: string;
  tokenId: number;
  userId: number;
  amount: number;
  /** Unlimited tokens keep their balance: only the user's is held. */
  tokenUnlimited: boolean;
}

/**
 * The end of a reservation. The balances get back `amount − cost` (negative: a charge above the
 * reservation, recorded, never forgiven), `cost` is added to the used counters and the log row
 * is written, all only if the reservation row was still there.
 */
export interface LedgerSettlement {
  requestId: string;
  tokenId: number;
  userId: number;
  amount: number;
  /** Whether the reservation reduced the token's balance (it did unless the token was unlimited). */
  tokenCharged: boolean;
  channelId: number;
  cost: number;
  /** Counts a request on the user (false for a release of a request that produced nothing). */
  countRequest: boolean;
  /** The consume log row, written in the same transaction when logs share the main database. */
  log: RelayLogRow | null;
}

export type LedgerOp =
  | { kind: 'reserve'; r: LedgerReservation; resolve: (result: ReserveResult) => void; reject: (error: unknown) => void }
  | { kind: 'settle'; s: LedgerSettlement; resolve: (result: SettleResult) => void; reject: (error: unknown) => void };

/** The storage side of the relay's ledger: applies a group of operations in arrival order, atomically. */
export interface LedgerStore {
  /** Whether consume log rows are written inside the settlement's transaction. */
  readonly logsInline: boolean;
  /** Groups that may be written at once (each is one transaction; the database orders them). */
  readonly parallelGroups: number;
  /** Applies the group in one transaction and settles every op's promise; throws (all failed) otherwise. */
  apply(ops: LedgerOp[], now: number, expiresAt: number): Promise<void>;
  /** Pushes the expiry of reservations still running. */
  extend(requestIds: string[], expiresAt: number): Promise<void>;
  close(): Promise<void>;
}

/** Balance movements of one group, summed per row. */
export class GroupEffects {
  readonly tokens = new Map<number, { remain: number; used: number }>();
  readonly users = new Map<number, { quota: number; used: number; requests: number }>();
  readonly channels = new Map<number, number>();
  readonly inserts: LedgerReservation[] = [];
  readonly deletes: string[] = [];
  readonly logs: RelayLogRow[] = [];

  token(id: number, remain: number, used: number): void {
    const t = this.tokens.get(id);
    if (t) {
      t.remain += remain;
      t.used += used;
    } else this.tokens.set(id, { remain, used });
  }

  user(id: number, quota: number, used: number, requests: number): void {
    const u = this.users.get(id);
    if (u) {
      u.quota += quota;
      u.used += used;
      u.requests += requests;
    } else this.users.set(id, { quota, used, requests });
  }

  channel(id: number, used: number): void {
    if (id > 0 && used !== 0) this.channels.set(id, (this.channels.get(id) ?? 0) + used);
  }

  /** Records a settlement whose reservation row was found. */
  settled(s: LedgerSettlement, logsInline: boolean): void {
    const back = s.amount - s.cost;
    this.token(s.tokenId, s.tokenCharged ? back : 0, s.cost);
    this.user(s.userId, back, s.cost, s.countRequest ? 1 : 0);
    this.channel(s.channelId, s.cost);
    this.deletes.push(s.requestId);
    if (s.log && logsInline) this.logs.push(s.log);
  }
}
