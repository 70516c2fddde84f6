import { execAffected } from '../../sql';
import { execAffectedFast } from './relay-sql';
import type { Database } from '../../database';

/**
 * Summed settlement effects per row (BATCH_UPDATE_ENABLED): `used`/`requests` are counters,
 * `delta` is the balance change still owed (cost − reservation; negative = refund).
 */
export interface UsageIncrements {
  users: Map<number, { used: number; requests: number; delta: number }>;
  tokens: Map<number, { used: number; delta: number }>;
  channels: Map<number, number>;
}

/** Which side of a reservation was short. */
export type ReserveResult = 'ok' | 'token' | 'user';

interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): { changes: number } };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

const RESERVE_TOKEN_SQL =
  'UPDATE tokens SET remain_quota = CASE WHEN unlimited_quota = 1 THEN remain_quota ELSE remain_quota - ? END WHERE id = ? AND (unlimited_quota = 1 OR remain_quota >= ?)';
const RESERVE_USER_SQL = 'UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ?';
const GIVE_BACK_TOKEN_SQL = 'UPDATE tokens SET remain_quota = remain_quota + ? WHERE id = ? AND unlimited_quota = 0';
const ADJUST_TOKEN_SQL =
  'UPDATE tokens SET remain_quota = CASE WHEN unlimited_quota = 1 THEN remain_quota WHEN remain_quota - ? < 0 THEN 0 ELSE remain_quota - ? END, used_quota = used_quota + ?, accessed_time = ? WHERE id = ?';
const ADJUST_USER_SQL = 'UPDATE users SET quota = CASE WHEN quota - ? < 0 THEN 0 ELSE quota - ? END, used_quota = used_quota + ?, request_count = request_count + ? WHERE id = ?';
const CHANNEL_USED_SQL = 'UPDATE channels SET used_quota = used_quota + ? WHERE id = ?';

/** One settled request: balances move by `delta` (cost − reservation), `cost` is added to the used counters. */
export interface QuotaSettlement {
  tokenId: number;
  userId: number;
  channelId: number;
  delta: number;
  cost: number;
}

interface PendingSettlement extends QuotaSettlement {
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface PendingReservation {
  tokenId: number;
  userId: number;
  amount: number;
  tokenUnlimited: boolean;
  resolve: (result: ReserveResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Items queued during one event-loop turn and applied together (on SQLite: in one synchronous
 * transaction, one WAL commit for the group). `setImmediate` runs after the poll phase, so every
 * request read from a socket in this turn has queued its item by then. If `apply` throws, the
 * transaction rolled back as a whole and every item of the group fails.
 */
class TurnBatch<T extends { reject: (error: unknown) => void }> {
  private items: T[] = [];
  private scheduled = false;

  constructor(private readonly apply: (items: T[]) => void) {}

  add(item: T): void {
    this.items.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const items = this.items;
    this.items = [];
    try {
      this.apply(items);
    } catch (error) {
      for (const it of items) it.reject(error);
    }
  };
}

/**
 * The relay's quota writes. Every change is ONE conditional UPDATE whose affected-row count
 * says whether it won: no read-then-write, so concurrent requests on any number of nodes can
 * never double-spend a unit or lose an update, and balances never go below zero.
 */
export class RelayQuotaRepository {
  private reservations: TurnBatch<PendingReservation> | null | undefined;
  private settlements: TurnBatch<PendingSettlement> | null | undefined;

  constructor(private readonly db: Database) {}

  /**
   * Reserves `amount` on the token and then the user. On SQLite the reservations that arrive in
   * one event-loop turn are applied together in ONE synchronous transaction (one WAL commit for
   * all of them instead of one per request: the commit was ≈ 8 % of the relay's CPU); inside it
   * each reservation is still its own conditional UPDATE whose affected rows decide it, applied
   * one after another, so the outcome is exactly that of running them in sequence. Elsewhere the
   * token reservation is given back when the user's fails. `tokenUnlimited` (the cached token's
   * flag) skips the token's no-op UPDATE.
   */
  async reserve(tokenId: number, userId: number, amount: number, tokenUnlimited = false): Promise<ReserveResult> {
    if (amount <= 0) return 'ok';
    if (this.db.kind === 'sqlite') {
      if (this.reservations === undefined) this.reservations = this.buildSqliteReservations();
      const batch = this.reservations;
      if (batch) return new Promise<ReserveResult>((resolve, reject) => batch.add({ tokenId, userId, amount, tokenUnlimited, resolve, reject }));
    }
    // An unlimited token keeps its balance, so its UPDATE would change nothing: the user's
    // conditional UPDATE alone is the whole reservation (one statement, no transaction).
    if (tokenUnlimited) return (await this.reserveUser(userId, amount)) ? 'ok' : 'user';
    if (!(await this.reserveToken(tokenId, amount))) return 'token';
    if (!(await this.reserveUser(userId, amount))) {
      await this.adjustToken(tokenId, -amount);
      return 'user';
    }
    return 'ok';
  }

  private buildSqliteReservations(): TurnBatch<PendingReservation> | null {
    const conn = (this.db.source.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
    if (!conn) return null;
    const token = conn.prepare(RESERVE_TOKEN_SQL);
    const user = conn.prepare(RESERVE_USER_SQL);
    const giveBack = conn.prepare(GIVE_BACK_TOKEN_SQL);
    const tx = conn.transaction((items: PendingReservation[]): ReserveResult[] => {
      const results: ReserveResult[] = new Array<ReserveResult>(items.length);
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (!it.tokenUnlimited && token.run(it.amount, it.tokenId, it.amount).changes === 0) {
          results[i] = 'token';
        } else if (user.run(it.amount, it.userId, it.amount).changes === 0) {
          // Undo this item's token reservation inside the same transaction (nothing else can
          // have run in between: the whole group is synchronous).
          if (!it.tokenUnlimited) giveBack.run(it.amount, it.tokenId);
          results[i] = 'user';
        } else {
          results[i] = 'ok';
        }
      }
      return results;
    });
    return new TurnBatch<PendingReservation>((items) => {
      // A lone reservation of an unlimited token is one statement: autocommit, no BEGIN/COMMIT.
      if (items.length === 1 && items[0].tokenUnlimited) {
        const it = items[0];
        it.resolve(user.run(it.amount, it.userId, it.amount).changes === 0 ? 'user' : 'ok');
        return;
      }
      const results = tx(items);
      for (let i = 0; i < items.length; i++) items[i].resolve(results[i]);
    });
  }

  /**
   * Applies one settlement: token and user balances by `-delta` (clamped at zero), `cost` added to
   * the token's, user's and channel's used quota and one to the user's request count. On SQLite
   * the settlements of one event-loop turn share one transaction (one WAL commit instead of three
   * per request), like reservations; each is still its own set of UPDATEs.
   */
  async settle(s: QuotaSettlement): Promise<void> {
    if (this.db.kind === 'sqlite') {
      if (this.settlements === undefined) this.settlements = this.buildSqliteSettlements();
      const batch = this.settlements;
      if (batch) return new Promise<void>((resolve, reject) => batch.add({ ...s, resolve, reject }));
    }
    await this.adjustToken(s.tokenId, s.delta, s.cost);
    await this.adjustUser(s.userId, s.delta, s.cost, 1);
    await this.addChannelUsedQuota(s.channelId, s.cost);
  }

  private buildSqliteSettlements(): TurnBatch<PendingSettlement> | null {
    const conn = (this.db.source.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
    if (!conn) return null;
    const token = conn.prepare(ADJUST_TOKEN_SQL);
    const user = conn.prepare(ADJUST_USER_SQL);
    const channel = conn.prepare(CHANNEL_USED_SQL);
    const tx = conn.transaction((items: PendingSettlement[]) => {
      const now = Math.floor(Date.now() / 1000);
      for (const it of items) {
        token.run(it.delta, it.delta, it.cost, now, it.tokenId);
        user.run(it.delta, it.delta, it.cost, 1, it.userId);
        if (it.cost !== 0 && it.channelId > 0) channel.run(it.cost, it.channelId);
      }
    });
    return new TurnBatch<PendingSettlement>((items) => {
      tx(items);
      for (const it of items) it.resolve();
    });
  }

  /**
   * Takes `amount` from a token's remaining quota if it holds that much (unlimited tokens always
   * pass and keep their balance). Returns whether the reservation was made.
   */
  async reserveToken(tokenId: number, amount: number): Promise<boolean> {
    if (amount <= 0) return true;
    const n = await execAffectedFast(this.db, RESERVE_TOKEN_SQL, [amount, tokenId, amount]);
    return n > 0;
  }

  /** Takes `amount` from a user's quota if the user holds that much. */
  async reserveUser(userId: number, amount: number): Promise<boolean> {
    if (amount <= 0) return true;
    const n = await execAffectedFast(this.db, RESERVE_USER_SQL, [amount, userId, amount]);
    return n > 0;
  }

  /**
   * Moves a token's balance by `-delta` after settlement: a negative delta refunds, a positive
   * one charges the part of the real cost the reservation did not cover, clamped at zero.
   * `used` (>= 0) is added to used_quota in the same statement when counters are not batched.
   */
  async adjustToken(tokenId: number, delta: number, used = 0): Promise<void> {
    if (delta === 0 && used === 0) return;
    const now = Math.floor(Date.now() / 1000);
    await execAffectedFast(this.db, ADJUST_TOKEN_SQL, [delta, delta, used, now, tokenId]);
  }

  /** Same as adjustToken for users; `requests` is added to request_count. */
  async adjustUser(userId: number, delta: number, used = 0, requests = 0): Promise<void> {
    if (delta === 0 && used === 0 && requests === 0) return;
    await execAffectedFast(this.db, ADJUST_USER_SQL, [delta, delta, used, requests, userId]);
  }

  async addChannelUsedQuota(channelId: number, used: number): Promise<void> {
    if (used === 0) return;
    await execAffectedFast(this.db, CHANNEL_USED_SQL, [used, channelId]);
  }

  /** Applies summed settlements (BATCH_UPDATE_ENABLED), one clamped UPDATE per row, in one transaction. */
  async applyIncrements(inc: UsageIncrements): Promise<void> {
    if (inc.users.size + inc.tokens.size + inc.channels.size === 0) return;
    const now = Math.floor(Date.now() / 1000);
    await this.db.transaction(async (m) => {
      for (const [id, v] of inc.users) {
        await execAffected(m, ADJUST_USER_SQL, [v.delta, v.delta, v.used, v.requests, id]);
      }
      for (const [id, v] of inc.tokens) {
        await execAffected(m, ADJUST_TOKEN_SQL, [v.delta, v.delta, v.used, now, id]);
      }
      for (const [id, q] of inc.channels) {
        await execAffected(m, CHANNEL_USED_SQL, [q, id]);
      }
    });
  }
}
