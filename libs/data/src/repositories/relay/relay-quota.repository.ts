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

/**
 * The relay's quota writes. Every change is ONE conditional UPDATE whose affected-row count
 * says whether it won: no read-then-write, so concurrent requests on any number of nodes can
 * never double-spend a unit or lose an update, and balances never go below zero.
 */
export class RelayQuotaRepository {
  private sqliteReserve: ((tokenId: number, userId: number, amount: number) => ReserveResult) | undefined;

  constructor(private readonly db: Database) {}

  /**
   * Reserves `amount` on the token and then the user. On SQLite both conditional UPDATEs run in
   * one synchronous transaction (one WAL commit, nothing can interleave); elsewhere the token
   * reservation is given back when the user's fails. `tokenUnlimited` (the cached token's flag)
   * skips the token's no-op UPDATE.
   */
  async reserve(tokenId: number, userId: number, amount: number, tokenUnlimited = false): Promise<ReserveResult> {
    if (amount <= 0) return 'ok';
    // An unlimited token keeps its balance, so its UPDATE would change nothing: the user's
    // conditional UPDATE alone is the whole reservation (one statement, no transaction).
    if (tokenUnlimited) return (await this.reserveUser(userId, amount)) ? 'ok' : 'user';
    if (this.db.kind === 'sqlite') {
      const fn = this.sqliteReserve ?? (this.sqliteReserve = this.buildSqliteReserve());
      if (fn) return fn(tokenId, userId, amount);
    }
    if (!(await this.reserveToken(tokenId, amount))) return 'token';
    if (!(await this.reserveUser(userId, amount))) {
      await this.adjustToken(tokenId, -amount);
      return 'user';
    }
    return 'ok';
  }

  private buildSqliteReserve(): ((tokenId: number, userId: number, amount: number) => ReserveResult) | undefined {
    const conn = (this.db.source.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
    if (!conn) return undefined;
    const token = conn.prepare(RESERVE_TOKEN_SQL);
    const user = conn.prepare(RESERVE_USER_SQL);
    class Short extends Error {}
    const tx = conn.transaction((tokenId: number, userId: number, amount: number): ReserveResult => {
      if (token.run(amount, tokenId, amount).changes === 0) return 'token';
      // Throwing rolls the token's reservation back with the transaction.
      if (user.run(amount, userId, amount).changes === 0) throw new Short();
      return 'ok';
    });
    return (tokenId, userId, amount) => {
      try {
        return tx(tokenId, userId, amount);
      } catch (error) {
        if (error instanceof Short) return 'user';
        throw error;
      }
    };
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
    await execAffectedFast(
      this.db,
      'UPDATE tokens SET remain_quota = CASE WHEN unlimited_quota = 1 THEN remain_quota WHEN remain_quota - ? < 0 THEN 0 ELSE remain_quota - ? END, used_quota = used_quota + ?, accessed_time = ? WHERE id = ?',
      [delta, delta, used, now, tokenId],
    );
  }

  /** Same as adjustToken for users; `requests` is added to request_count. */
  async adjustUser(userId: number, delta: number, used = 0, requests = 0): Promise<void> {
    if (delta === 0 && used === 0 && requests === 0) return;
    await execAffectedFast(
      this.db,
      'UPDATE users SET quota = CASE WHEN quota - ? < 0 THEN 0 ELSE quota - ? END, used_quota = used_quota + ?, request_count = request_count + ? WHERE id = ?',
      [delta, delta, used, requests, userId],
    );
  }

  async addChannelUsedQuota(channelId: number, used: number): Promise<void> {
    if (used === 0) return;
    await execAffectedFast(this.db, 'UPDATE channels SET used_quota = used_quota + ? WHERE id = ?', [used, channelId]);
  }

  /** Applies summed settlements (BATCH_UPDATE_ENABLED), one clamped UPDATE per row, in one transaction. */
  async applyIncrements(inc: UsageIncrements): Promise<void> {
    if (inc.users.size + inc.tokens.size + inc.channels.size === 0) return;
    const now = Math.floor(Date.now() / 1000);
    await this.db.transaction(async (m) => {
      for (const [id, v] of inc.users) {
        await execAffected(
          m,
          'UPDATE users SET quota = CASE WHEN quota - ? < 0 THEN 0 ELSE quota - ? END, used_quota = used_quota + ?, request_count = request_count + ? WHERE id = ?',
          [v.delta, v.delta, v.used, v.requests, id],
        );
      }
      for (const [id, v] of inc.tokens) {
        await execAffected(
          m,
          'UPDATE tokens SET remain_quota = CASE WHEN unlimited_quota = 1 THEN remain_quota WHEN remain_quota - ? < 0 THEN 0 ELSE remain_quota - ? END, used_quota = used_quota + ?, accessed_time = ? WHERE id = ?',
          [v.delta, v.delta, v.used, now, id],
        );
      }
      for (const [id, q] of inc.channels) {
        await execAffected(m, 'UPDATE channels SET used_quota = used_quota + ? WHERE id = ?', [q, id]);
      }
    });
  }
}
