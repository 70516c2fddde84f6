import BetterSqlite3 from 'better-sqlite3';
import { availableDbKinds, createTestDatabase, type TestDatabase } from '@oneapi/testing';
import type { Database } from '../database';
import { balances, clearLedger, insertReservation, insertToken, insertUser, openLedgerDb, reservationIds, systemLogs } from './__tests__/ledger-fixture';
import { releaseReservation, sweepExpiredReservations, type ExpiredReservation } from './reservation-sweeper';

describe.each([['sqlite'], ['mysql']] as const)('reservation sweeper on %s', (kind) => {
  let available = true;
  let test: TestDatabase;
  let db: Database;
  const NOW = 1_900_000_000_000;

  beforeAll(async () => {
    available = (await availableDbKinds()).includes(kind);
    if (!available) return;
    test = await createTestDatabase(kind);
    db = await openLedgerDb(test);
  });
  afterAll(async () => {
    if (!available) return;
    await db.close();
    await test.drop();
  });
  beforeEach(async () => {
    if (!available) return;
    await clearLedger(db);
    // User 1 granted 1000 and token 1 granted 500; two requests hold 100 (expired) and 50 (running).
    await insertUser(db, { id: 1, quota: 850, granted: 1000 });
    await insertToken(db, { id: 1, userId: 1, remain: 350, granted: 500 });
    await insertReservation(db, { requestId: 'req-expired', tokenId: 1, userId: 1, amount: 100, tokenCharged: true, expiresAt: NOW - 1, node: 'relay-a' });
    await insertReservation(db, { requestId: 'req-running', tokenId: 1, userId: 1, amount: 50, tokenCharged: true, expiresAt: NOW + 60_000 });
  });

  const skip = () => {
    if (!available) process.stderr.write(`MariaDB not reachable: ${kind} suite skipped\n`);
    return !available;
  };

  it('releases an expired reservation exactly once, with one system log row, and leaves an unexpired one alone', async () => {
    if (skip()) return;
    expect(await sweepExpiredReservations(db, { now: NOW })).toEqual({ released: 1, amount: 100, skipped: 0, more: false });
    expect(await balances(db)).toEqual({ users: { 1: 950 }, tokens: { 1: 450 } });
    expect(await reservationIds(db)).toEqual(['req-running']);
    const logs = await systemLogs(db);
    expect(logs).toEqual([
      {
        user_id: 1,
        quota: 0,
        request_id: 'req-expired',
        username: 'user1',
        content: 'reservation of 100 for request req-expired released after RESERVATION_TTL: the request never settled (node relay-a)',
      },
    ]);

    // A second run finds nothing to do and writes nothing.
    expect(await sweepExpiredReservations(db, { now: NOW })).toEqual({ released: 0, amount: 0, skipped: 0, more: false });
    expect(await balances(db)).toEqual({ users: { 1: 950 }, tokens: { 1: 450 } });
    expect(await systemLogs(db)).toHaveLength(1);
  });

  it("gives back only the user's quota when the token was not charged (unlimited token)", async () => {
    if (skip()) return;
    await insertToken(db, { id: 2, userId: 1, remain: 7, granted: 0, unlimited: true });
    await insertReservation(db, { requestId: 'req-unlimited', tokenId: 2, userId: 1, amount: 30, tokenCharged: false, expiresAt: NOW - 5 });
    await db.source.query('UPDATE users SET quota = quota - 30 WHERE id = 1');
    expect(await sweepExpiredReservations(db, { now: NOW })).toMatchObject({ released: 2, amount: 130 });
    expect(await balances(db)).toEqual({ users: { 1: 950 }, tokens: { 1: 450, 2: 7 } });
  });

  it('acts only when its DELETE removed the row: a settled, swept, extended or changed reservation is left alone', async () => {
    if (skip()) return;
    const row: ExpiredReservation = { requestId: 'req-expired', tokenId: 1, userId: 1, amount: 100, tokenCharged: true, node: 'relay-a', expiresAt: NOW - 1 };

    // The relay pushed the expiry forward after the sweeper read the row.
    await db.source.query('UPDATE reservations SET expires_at = ? WHERE request_id = ?', [NOW + 1000, 'req-expired']);
    expect(await releaseReservation(db, row, NOW)).toBe(false);
    // The relay raised the hold after the sweeper read the row: the next run reads the new amount.
    await db.source.query('UPDATE reservations SET expires_at = ?, amount = 120 WHERE request_id = ?', [NOW - 1, 'req-expired']);
    expect(await releaseReservation(db, row, NOW)).toBe(false);
    await db.source.query('UPDATE reservations SET amount = 100 WHERE request_id = ?', ['req-expired']);

    expect(await releaseReservation(db, row, NOW)).toBe(true);
    // Another sweeper holding the same stale row, or a late settlement, finds it gone.
    expect(await releaseReservation(db, row, NOW)).toBe(false);
    expect(await balances(db)).toEqual({ users: { 1: 950 }, tokens: { 1: 450 } });
    expect(await systemLogs(db)).toHaveLength(1);
  });

  it('two sweepers racing over the same expired rows release each one once', async () => {
    if (skip()) return;
    const n = 40;
    for (let i = 0; i < n; i++) {
      await insertReservation(db, { requestId: `race-${String(i).padStart(2, '0')}`, tokenId: 1, userId: 1, amount: 10, tokenCharged: true, expiresAt: NOW - 1000 + i });
    }
    await db.source.query('UPDATE users SET quota = quota - ? WHERE id = 1', [n * 10]);
    await db.source.query('UPDATE tokens SET remain_quota = remain_quota - ? WHERE id = 1', [n * 10]);
    // MariaDB: a second process's connection pool, so the two really run at once. SQLite: one
    // connection per process, so the second sweeper shares it (its transactions queue).
    const other = kind === 'mysql' ? await openLedgerDb(test) : db;
    try {
      const [a, b] = await Promise.all([sweepExpiredReservations(db, { now: NOW }), sweepExpiredReservations(other, { now: NOW })]);
      expect(a.released + b.released).toBe(n + 1);
      expect(a.amount + b.amount).toBe(n * 10 + 100);
    } finally {
      if (other !== db) await other.close();
    }
    expect(await balances(db)).toEqual({ users: { 1: 950 }, tokens: { 1: 450 } });
    expect(await reservationIds(db)).toEqual(['req-running']);
    const logs = await systemLogs(db);
    expect(logs).toHaveLength(n + 1);
    expect(new Set(logs.map((l) => l.request_id)).size).toBe(n + 1);
  });

  // SQLite only (not registered on MariaDB, whose lock wait timeout is a server setting, 50 s by default).
  if (kind === 'sqlite')
    it('stops at a lock held elsewhere and leaves the rest for the next run', async () => {
    if (test.config.type !== 'sqlite') throw new Error('expected SQLite');
    // Another process (a relay) holds SQLite's write lock longer than SQLITE_BUSY_TIMEOUT.
    const other = new BetterSqlite3(test.config.path);
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(await sweepExpiredReservations(db, { now: NOW })).toEqual({ released: 0, amount: 0, skipped: 0, more: true });
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    expect(await reservationIds(db)).toEqual(['req-expired', 'req-running']);
    expect(await sweepExpiredReservations(db, { now: NOW })).toMatchObject({ released: 1, more: false });
  });

  it('releases at most a batch per run (never more than 500) and says when more are waiting', async () => {
    if (skip()) return;
    for (let i = 0; i < 4; i++) {
      await insertReservation(db, { requestId: `batch-${i}`, tokenId: 1, userId: 1, amount: 1, tokenCharged: true, expiresAt: NOW - 10 + i });
    }
    expect(await sweepExpiredReservations(db, { now: NOW, limit: 3 })).toMatchObject({ released: 3, more: true });
    expect(await sweepExpiredReservations(db, { now: NOW, limit: 3 })).toMatchObject({ released: 2, more: false });

    const many = 501;
    const values = Array.from({ length: many }, (_, i) => `('bulk-${i}', 1, 1, 1, 1, '', 0, ${NOW - 5000 + i})`).join(', ');
    await db.source.query(`INSERT INTO reservations (request_id, token_id, user_id, amount, token_charged, node, created_at, expires_at) VALUES ${values}`);
    expect(await sweepExpiredReservations(db, { now: NOW, limit: 10_000 })).toMatchObject({ released: 500, more: true });
    expect(await sweepExpiredReservations(db, { now: NOW, limit: 10_000 })).toMatchObject({ released: 1, more: false });
  });
});
