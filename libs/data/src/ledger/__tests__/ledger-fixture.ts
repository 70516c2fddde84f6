import { randomBytes } from 'node:crypto';
import { loadConfig } from '@oneapi/config';
import { availableDbKinds, createTestDatabase, type DbKind, type TestDatabase } from '@oneapi/testing';
import { Database } from '../../database';

/** The environment a process pointed at `test` would have (a throwaway session secret). */
export function ledgerEnv(test: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  return { ...test.env, SESSION_SECRET: randomBytes(24).toString('hex'), LOG_LEVEL: 'silent', ...extra };
}

/** `extra`: more variables, e.g. LOG_SQL_DSN. */
export function openLedgerDb(test: TestDatabase, extra: Record<string, string> = {}): Promise<Database> {
  return Database.open(loadConfig(ledgerEnv(test, extra)));
}

/**
 * A database of `kind` for the enclosing suite: created before its tests, dropped after them.
 * `db` is null where that kind is not reachable (the suite then skips, saying so).
 */
export function suiteLedgerDb(kind: DbKind): { readonly db: Database | null } {
  const suite: { db: Database | null } = { db: null };
  let test: TestDatabase | null = null;
  beforeAll(async () => {
    if (!(await availableDbKinds()).includes(kind)) return;
    test = await createTestDatabase(kind);
    suite.db = await openLedgerDb(test);
  });
  afterAll(async () => {
    await suite.db?.close();
    await test?.drop();
  });
  return suite;
}

/** Empties the money tables (the bootstrap's root and its token included). */
export async function clearLedger(db: Database): Promise<void> {
  await db.source.query('DELETE FROM reservations');
  await db.source.query('DELETE FROM tokens');
  await db.source.query('DELETE FROM users');
  await db.source.query('DELETE FROM channels');
  await db.logSource.query('DELETE FROM logs');
}

export interface UserRow {
  id: number;
  quota: number;
  used?: number;
  granted: number;
}

export async function insertUser(db: Database, u: UserRow): Promise<void> {
  await db.source.query(
    'INSERT INTO users (id, username, password, display_name, role, status, quota, used_quota, granted_quota, request_count, aff_code) VALUES (?, ?, ?, ?, 1, 1, ?, ?, ?, 0, ?)',
    [u.id, `user${u.id}`, 'x', `user${u.id}`, u.quota, u.used ?? 0, u.granted, `aff${u.id}`],
  );
}

export interface TokenRow {
  id: number;
  userId: number;
  remain: number;
  used?: number;
  granted: number;
  unlimited?: boolean;
}

export async function insertToken(db: Database, t: TokenRow): Promise<void> {
  await db.source.query(
    'INSERT INTO tokens (id, user_id, `key`, status, name, created_time, accessed_time, expired_time, remain_quota, unlimited_quota, used_quota, granted_quota) VALUES (?, ?, ?, 1, ?, 0, 0, -1, ?, ?, ?, ?)',
    [t.id, t.userId, `key${t.id}`.padEnd(48, 'k'), `token${t.id}`, t.remain, t.unlimited ? 1 : 0, t.used ?? 0, t.granted],
  );
}

export interface ReservationRow {
  requestId: string;
  tokenId: number;
  userId: number;
  amount: number;
  tokenCharged: boolean;
  /** Unix ms. */
  expiresAt: number;
  node?: string;
}

export async function insertReservation(db: Database, r: ReservationRow): Promise<void> {
  await db.source.query(
    'INSERT INTO reservations (request_id, token_id, user_id, amount, token_charged, node, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [r.requestId, r.tokenId, r.userId, r.amount, r.tokenCharged ? 1 : 0, r.node ?? 'relay-1', r.expiresAt - 600_000, r.expiresAt],
  );
}

export async function insertConsumeLog(db: Database, userId: number, quota: number, requestId: string): Promise<void> {
  await db.logSource.query('INSERT INTO logs (user_id, created_at, type, content, quota, request_id) VALUES (?, ?, 2, ?, ?, ?)', [userId, Math.floor(Date.now() / 1000), 'consume', quota, requestId]);
}

export async function balances(db: Database): Promise<{ users: Record<number, number>; tokens: Record<number, number> }> {
  const users: Array<{ id: number; quota: number | string }> = await db.source.query('SELECT id, quota FROM users');
  const tokens: Array<{ id: number; remain_quota: number | string }> = await db.source.query('SELECT id, remain_quota FROM tokens');
  return {
    users: Object.fromEntries(users.map((u) => [Number(u.id), Number(u.quota)])),
    tokens: Object.fromEntries(tokens.map((t) => [Number(t.id), Number(t.remain_quota)])),
  };
}

export async function reservationIds(db: Database): Promise<string[]> {
  const rows: Array<{ request_id: string }> = await db.source.query('SELECT request_id FROM reservations ORDER BY request_id');
  return rows.map((r) => r.request_id);
}

export async function systemLogs(db: Database): Promise<Array<{ user_id: number; quota: number; request_id: string; content: string; username: string }>> {
  const rows: Array<Record<string, unknown>> = await db.logSource.query('SELECT user_id, quota, request_id, content, username FROM logs WHERE type = 4 ORDER BY id');
  return rows.map((r) => ({ user_id: Number(r.user_id), quota: Number(r.quota), request_id: String(r.request_id), content: String(r.content), username: String(r.username) }));
}
