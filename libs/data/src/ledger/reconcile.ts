import type { EntityManager } from 'typeorm';
import type { Database } from '../database';

/** A user whose balance does not add up: drift = quota + used + held − granted (positive: quota that was never granted). */
export interface UserDrift {
  userId: number;
  username: string;
  granted: number;
  quota: number;
  used: number;
  /** Sum of the user's reservations. */
  held: number;
  drift: number;
}

/** A limited token whose balance does not add up: drift = remain + used + held − granted. */
export interface TokenDrift {
  tokenId: number;
  userId: number;
  name: string;
  granted: number;
  remain: number;
  used: number;
  /** Sum of the token's reservations that reduced its balance (token_charged = 1). */
  held: number;
  drift: number;
}

/** A user whose used quota differs from its consume logs: drift = used − billed. */
export interface BilledDrift {
  userId: number;
  username: string;
  used: number;
  /** Sum of the quota of the user's consume logs (type 2). */
  billed: number;
  drift: number;
}

export interface ReconcileReport {
  /** Unix ms the check ran at (reservations expired before it are stale). */
  at: number;
  checked: {
    users: number;
    /** Tokens with a limited balance (unlimited ones hold nothing). */
    tokens: number;
    /** Whether used quota was compared with the consume logs. */
    logs: boolean;
  };
  users: UserDrift[];
  tokens: TokenDrift[];
  /** Empty when the logs were not checked. */
  billed: BilledDrift[];
  /** Reservations past their expiry the sweeper has not released yet. Still held, so not drift. */
  stale: { count: number; amount: number };
  /** No drift anywhere. */
  ok: boolean;
}

export interface ReconcileOptions {
  /**
   * Compare each user's used quota with its consume logs (default true). Log retention, a log
   * deletion or an imported history without logs break this equation without any money moving.
   */
  logs?: boolean;
  /** Unix ms; default now. */
  now?: number;
}

type Num = number | string | null;

const USERS_SQL =
  'SELECT u.id, u.username, u.granted_quota, u.quota, u.used_quota, COALESCE(r.held, 0) AS held FROM users u ' +
  'LEFT JOIN (SELECT user_id, SUM(amount) AS held FROM reservations GROUP BY user_id) r ON r.user_id = u.id ' +
  'WHERE u.quota + u.used_quota + COALESCE(r.held, 0) <> u.granted_quota ORDER BY u.id';

const TOKENS_SQL =
  'SELECT t.id, t.user_id, t.name, t.granted_quota, t.remain_quota, t.used_quota, COALESCE(r.held, 0) AS held FROM tokens t ' +
  'LEFT JOIN (SELECT token_id, SUM(amount) AS held FROM reservations WHERE token_charged = 1 GROUP BY token_id) r ON r.token_id = t.id ' +
  'WHERE t.unlimited_quota = 0 AND t.remain_quota + t.used_quota + COALESCE(r.held, 0) <> t.granted_quota ORDER BY t.id';

const BILLED_SUMS = 'SELECT user_id, SUM(quota) AS billed FROM logs WHERE type = 2 GROUP BY user_id';

const BILLED_JOINED_SQL =
  `SELECT u.id, u.username, u.used_quota, COALESCE(l.billed, 0) AS billed FROM users u LEFT JOIN (${BILLED_SUMS}) l ON l.user_id = u.id ` +
  'WHERE u.used_quota <> COALESCE(l.billed, 0) ORDER BY u.id';

/**
 * Checks that money is conserved (SPEC section 13) over the whole database:
 *
 *   user:  quota + used_quota + Σ reservations.amount                       = granted_quota
 *   token: remain_quota + used_quota + Σ reservations.amount (charged ones) = granted_quota  (limited tokens)
 *   billed: user.used_quota = Σ quota of its consume logs                                    (optional)
 *
 * The main database is read in one transaction, so a settlement running meanwhile is seen
 * entirely or not at all. Logs in a separate LOG_SQL_DSN database are read outside it, so a
 * request settling during the check can show up there as a transient billed drift.
 */
export async function reconcile(db: Database, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const at = options.now ?? Date.now();
  const checkLogs = options.logs ?? true;
  const logsInline = db.logSource === db.source;
  const main = await db.transaction(async (m) => {
    const [userCount] = await m.query('SELECT COUNT(*) AS n FROM users');
    const [tokenCount] = await m.query('SELECT COUNT(*) AS n FROM tokens WHERE unlimited_quota = 0');
    const users: Array<Record<string, Num>> = await m.query(USERS_SQL);
    const tokens: Array<Record<string, Num>> = await m.query(TOKENS_SQL);
    const [stale] = await m.query('SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS amount FROM reservations WHERE expires_at < ?', [at]);
    const billed = checkLogs && logsInline ? await m.query(BILLED_JOINED_SQL) : checkLogs ? await usedQuotas(m) : [];
    return { userCount, tokenCount, users, tokens, stale, billed: billed as Array<Record<string, Num>> };
  });

  const users: UserDrift[] = main.users.map((r) => {
    const u = { userId: num(r.id), username: String(r.username ?? ''), granted: num(r.granted_quota), quota: num(r.quota), used: num(r.used_quota), held: num(r.held) };
    return { ...u, drift: u.quota + u.used + u.held - u.granted };
  });
  const tokens: TokenDrift[] = main.tokens.map((r) => {
    const t = { tokenId: num(r.id), userId: num(r.user_id), name: String(r.name ?? ''), granted: num(r.granted_quota), remain: num(r.remain_quota), used: num(r.used_quota), held: num(r.held) };
    return { ...t, drift: t.remain + t.used + t.held - t.granted };
  });

  let billed: BilledDrift[] = [];
  if (checkLogs && logsInline) {
    billed = main.billed.map((r) => ({ userId: num(r.id), username: String(r.username ?? ''), used: num(r.used_quota), billed: num(r.billed), drift: num(r.used_quota) - num(r.billed) }));
  } else if (checkLogs) {
    const sums: Array<{ user_id: Num; billed: Num }> = await db.logSource.query(BILLED_SUMS);
    const byUser = new Map(sums.map((s) => [num(s.user_id), num(s.billed)]));
    for (const r of main.billed) {
      const b = { userId: num(r.id), username: String(r.username ?? ''), used: num(r.used_quota), billed: byUser.get(num(r.id)) ?? 0 };
      if (b.used !== b.billed) billed.push({ ...b, drift: b.used - b.billed });
    }
  }

  return {
    at,
    checked: { users: num(main.userCount?.n), tokens: num(main.tokenCount?.n), logs: checkLogs },
    users,
    tokens,
    billed,
    stale: { count: num(main.stale?.n), amount: num(main.stale?.amount) },
    ok: users.length === 0 && tokens.length === 0 && billed.length === 0,
  };
}

/** Every user's used quota, to compare with logs that live in another database. */
function usedQuotas(m: EntityManager): Promise<Array<Record<string, Num>>> {
  return m.query('SELECT id, username, used_quota FROM users ORDER BY id');
}

/** MySQL returns BIGINT and SUM() as strings. */
function num(value: Num | undefined): number {
  return Number(value ?? 0);
}
