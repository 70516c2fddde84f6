import type { EntityManager } from 'typeorm';
import type { Database } from '../database';
import { isUniqueViolation } from '../data-source';
import { execAffected } from '../sql';
import { withSqliteWriteLock } from './sql-helpers';

/** How long a stored answer must be kept; older rows may be pruned. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** The answer a completed call gave: HTTP status and the JSON body sent. */
export interface StoredAnswer {
  status: number;
  body: string;
}

/**
 * Asks a money-changing repository method to store its answer under `scope` in the same
 * transaction as the change, so a retry is answered from the store and changes nothing.
 * Nothing is stored when the method changes nothing (a retry may then simply run again).
 */
export interface IdempotencyClaim<R> {
  /** `<actor user id>:<route>:<key>`. */
  scope: string;
  answer(result: R): StoredAnswer;
}

/**
 * The scope is already used, or held by a call still in flight. Thrown after the caller's
 * transaction rolled back, so nothing of this call was changed.
 */
export class IdempotencyKeyTaken extends Error {
  constructor(readonly scope: string) {
    super('this Idempotency-Key is already in use');
    this.name = 'IdempotencyKeyTaken';
  }
}

/**
 * Receives failures of work done after a money change committed (a log written to LOG_SQL_DSN's
 * database): the change stands, so such failures are reported, never thrown to the caller.
 */
export type AfterCommitErrorHandler = (error: unknown, what: string) => void;

/** `idempotency_keys`: answers of quota-changing admin calls made with an Idempotency-Key. */
export class IdempotencyRepository {
  constructor(private readonly db: Database) {}

  /**
   * The stored answer for exactly this scope. MySQL compares the key case-insensitively, so a
   * row whose scope differs only in case is someone else's key, not ours.
   */
  async find(scope: string): Promise<StoredAnswer | null> {
    const rows: Array<{ scope: string; status: number | string; body: string | null }> = await this.db.source.query(
      'SELECT scope, status, body FROM idempotency_keys WHERE scope = ?',
      [scope],
    );
    const row = rows.find((r) => r.scope === scope);
    return row && row.body !== null ? { status: Number(row.status), body: row.body } : null;
  }

  /** Deletes answers older than maxAgeMs; returns how many. */
  async prune(maxAgeMs = IDEMPOTENCY_KEY_TTL_MS, now = Date.now()): Promise<number> {
    return withSqliteWriteLock(this.db.source, () => execAffected(this.db.manager, 'DELETE FROM idempotency_keys WHERE created_at < ?', [now - maxAgeMs]));
  }

  /**
   * Runs `change` inside the caller's transaction `m` under the claim. The key's row is inserted
   * FIRST: a concurrent call with the same key blocks on that row (MySQL's key lock, SQLite's
   * write lock) and then fails on the primary key instead of changing anything; the answer is
   * written before the commit. Without a claim this just runs `change`.
   */
  static async within<R>(m: EntityManager, claim: IdempotencyClaim<R> | undefined, change: () => Promise<R>, now = Date.now()): Promise<R> {
    if (!claim) return change();
    try {
      await m.query('INSERT INTO idempotency_keys (scope, status, body, created_at) VALUES (?, 0, NULL, ?)', [claim.scope, now]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new IdempotencyKeyTaken(claim.scope);
      throw error;
    }
    const result = await change();
    const answer = claim.answer(result);
    await m.query('UPDATE idempotency_keys SET status = ?, body = ? WHERE scope = ?', [answer.status, answer.body, claim.scope]);
    return result;
  }
}
