import { LogType } from '@oneapi/domain';
import type { Database } from '../database';
import { LogRepository, type NewLog } from '../repositories/log.repository';
import { execAffected } from '../sql';

/** Most reservations one sweep releases; the rest wait for the next run. */
export const RESERVATION_SWEEP_BATCH = 500;

/** A `reservations` row as the sweeper read it. */
export interface ExpiredReservation {
  requestId: string;
  tokenId: number;
  userId: number;
  amount: number;
  /** Whether the token's balance was reduced too (not for unlimited tokens). */
  tokenCharged: boolean;
  node: string;
  /** Unix ms. */
  expiresAt: number;
}

export interface ReservationSweepResult {
  /** Reservations this run released. */
  released: number;
  /** Quota this run gave back to users (and to tokens that were charged). */
  amount: number;
  /** Expired rows that were gone or changed by the time this run got to them (settled late, swept by another run, extended). */
  skipped: number;
  /** The batch was full: more expired reservations may be waiting. */
  more: boolean;
}

export interface ReservationSweepOptions {
  /** Unix ms; reservations with `expires_at` before it are released. Default: now. */
  now?: number;
  /** Rows per run, at most RESERVATION_SWEEP_BATCH. */
  limit?: number;
}

interface Row {
  request_id: string;
  token_id: number | string;
  user_id: number | string;
  amount: number | string;
  token_charged: number | string | boolean;
  node: string | null;
  expires_at: number | string;
}

/**
 * Releases reservations whose request never settled (SPEC section 13): each expired row, in its own
 * transaction, is deleted and only if that DELETE removed it are its quota given back and a system
 * log row written. A late settlement, another sweeper or the relay extending the reservation
 * makes the DELETE remove nothing, so exactly one of them acts on each reservation.
 */
export async function sweepExpiredReservations(db: Database, options: ReservationSweepOptions = {}): Promise<ReservationSweepResult> {
  const now = options.now ?? Date.now();
  const limit = Math.min(RESERVATION_SWEEP_BATCH, Math.max(1, Math.floor(options.limit ?? RESERVATION_SWEEP_BATCH)));
  const rows: Row[] = await db.source.query(
    'SELECT request_id, token_id, user_id, amount, token_charged, node, expires_at FROM reservations WHERE expires_at < ? ORDER BY expires_at LIMIT ?',
    [now, limit],
  );
  const result: ReservationSweepResult = { released: 0, amount: 0, skipped: 0, more: rows.length === limit };
  for (const row of rows) {
    const r: ExpiredReservation = {
      requestId: row.request_id,
      tokenId: Number(row.token_id),
      userId: Number(row.user_id),
      amount: Number(row.amount),
      tokenCharged: Number(row.token_charged) === 1,
      node: row.node ?? '',
      expiresAt: Number(row.expires_at),
    };
    let released: boolean;
    try {
      released = await releaseReservation(db, r, now);
    } catch (error) {
      if (!isLockConflict(error)) throw error;
      // The transaction rolled back, so the row is still held; a busy database would make every
      // further row wait out its lock timeout too, so the rest waits for the next run.
      result.more = true;
      break;
    }
    if (released) {
      result.released++;
      result.amount += r.amount;
    } else {
      result.skipped++;
    }
  }
  return result;
}

/** The reservation was gone or changed: roll back the balance updates made before finding out. */
class ReservationLost extends Error {}

/**
 * Releases one reservation read earlier; returns whether this call released it. The DELETE also
 * matches the expiry, amount and token flag the caller read, so the quota given back is exactly
 * what the deleted row held, and a reservation the relay extended or changed since is left for
 * its settlement or a later run.
 */
export async function releaseReservation(db: Database, r: ExpiredReservation, now: number): Promise<boolean> {
  const logsInline = db.logSource === db.source;
  let pendingLog: NewLog | undefined;
  try {
    await db.transaction(async (m) => {
      // Token, user, then reservation: the order the relay's ledger locks rows in, so a sweep and
      // a late settlement of the same request cannot deadlock on MySQL. The balances are only
      // kept if the DELETE then removes the row (otherwise the transaction rolls back).
      if (r.tokenCharged) await execAffected(m, 'UPDATE tokens SET remain_quota = remain_quota + ? WHERE id = ?', [r.amount, r.tokenId]);
      await execAffected(m, 'UPDATE users SET quota = quota + ? WHERE id = ?', [r.amount, r.userId]);
      const won = await execAffected(m, 'DELETE FROM reservations WHERE request_id = ? AND expires_at < ? AND amount = ? AND token_charged = ?', [
        r.requestId,
        now,
        r.amount,
        r.tokenCharged ? 1 : 0,
      ]);
      if (won !== 1) throw new ReservationLost();
      const users: Array<{ username: string }> = await m.query('SELECT username FROM users WHERE id = ?', [r.userId]);
      const tokens: Array<{ name: string }> = await m.query('SELECT name FROM tokens WHERE id = ?', [r.tokenId]);
      const log: NewLog = {
        userId: r.userId,
        type: LogType.System,
        quota: 0,
        requestId: r.requestId,
        username: users[0]?.username ?? '',
        tokenName: tokens[0]?.name ?? '',
        content: `reservation of ${r.amount} for request ${r.requestId} released after RESERVATION_TTL: the request never settled (node ${r.node || 'unknown'})`,
        createdAt: Math.floor(now / 1000),
      };
      // With LOG_SQL_DSN the log cannot join this transaction: it is written right after the commit.
      if (logsInline) await LogRepository.insertWith(m, log);
      else pendingLog = log;
    });
  } catch (error) {
    if (error instanceof ReservationLost) return false;
    throw error;
  }
  if (pendingLog) await new LogRepository(db).insert(pendingLog);
  return true;
}

/** A lock held by someone else (SQLite busy, MySQL deadlock or lock wait timeout): retry later, not an outage. */
function isLockConflict(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}
