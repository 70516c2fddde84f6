import { availableDbKinds, createTestDatabase, type TestDatabase } from '@oneapi/testing';
import type { Database } from '../database';
import { clearLedger, insertConsumeLog, insertReservation, insertToken, insertUser, openLedgerDb, systemLogs } from './__tests__/ledger-fixture';
import { reconcile } from './reconcile';
import { sweepExpiredReservations } from './reservation-sweeper';

const NOW = 1_900_000_000_000;

/**
 * A ledger that balances. User 1 (granted 1000) spent 120 through limited token 1 (granted 600)
 * and 80 through unlimited token 2, and holds 100 on token 1 and 50 on token 2. User 2 (granted
 * 500) spent 40 through token 3 (granted 300) and holds 25 on it in a reservation past its TTL.
 */
async function seedConsistent(db: Database): Promise<void> {
  await clearLedger(db);
  await insertUser(db, { id: 1, quota: 1000 - 200 - 150, used: 200, granted: 1000 });
  await insertToken(db, { id: 1, userId: 1, remain: 600 - 120 - 100, used: 120, granted: 600 });
  await insertToken(db, { id: 2, userId: 1, remain: 0, used: 80, granted: 0, unlimited: true });
  await insertConsumeLog(db, 1, 120, 'done-1');
  await insertConsumeLog(db, 1, 80, 'done-2');
  await insertReservation(db, { requestId: 'held-1', tokenId: 1, userId: 1, amount: 100, tokenCharged: true, expiresAt: NOW + 60_000 });
  await insertReservation(db, { requestId: 'held-2', tokenId: 2, userId: 1, amount: 50, tokenCharged: false, expiresAt: NOW + 60_000 });

  await insertUser(db, { id: 2, quota: 500 - 40 - 25, used: 40, granted: 500 });
  await insertToken(db, { id: 3, userId: 2, remain: 300 - 40 - 25, used: 40, granted: 300 });
  await insertConsumeLog(db, 2, 40, 'done-3');
  await insertReservation(db, { requestId: 'stale-1', tokenId: 3, userId: 2, amount: 25, tokenCharged: true, expiresAt: NOW - 1 });
}

describe.each([['sqlite'], ['mysql']] as const)('reconcile on %s', (kind) => {
  let available = true;
  let test: TestDatabase;
  let db: Database;

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
    if (available) await seedConsistent(db);
  });

  const skip = () => {
    if (!available) process.stderr.write(`MariaDB not reachable: ${kind} suite skipped\n`);
    return !available;
  };

  it('finds no drift on a consistent database and reports the stale reservation', async () => {
    if (skip()) return;
    const report = await reconcile(db, { now: NOW });
    expect(report).toMatchObject({ ok: true, checked: { users: 2, tokens: 2, logs: true }, users: [], tokens: [], billed: [], stale: { count: 1, amount: 25 } });

    // Releasing the stale reservation keeps the books balanced.
    expect(await sweepExpiredReservations(db, { now: NOW })).toMatchObject({ released: 1, amount: 25 });
    expect(await reconcile(db, { now: NOW })).toMatchObject({ ok: true, users: [], tokens: [], billed: [], stale: { count: 0, amount: 0 } });
  });

  it('reports the exact drift of a tampered user or token balance', async () => {
    if (skip()) return;
    await db.source.query('UPDATE users SET quota = quota + 7 WHERE id = 2');
    await db.source.query('UPDATE tokens SET used_quota = used_quota - 3 WHERE id = 1');
    const report = await reconcile(db, { now: NOW });
    expect(report.ok).toBe(false);
    expect(report.users).toEqual([{ userId: 2, username: 'user2', granted: 500, quota: 442, used: 40, held: 25, drift: 7 }]);
    expect(report.tokens).toEqual([{ tokenId: 1, userId: 1, name: 'token1', granted: 600, remain: 380, used: 117, held: 100, drift: -3 }]);
    expect(report.billed).toEqual([]);
  });

  it('reports a missing reservation as money lost on the user and, when it was charged, the token', async () => {
    if (skip()) return;
    await db.source.query("DELETE FROM reservations WHERE request_id IN ('held-1', 'held-2')");
    const report = await reconcile(db, { now: NOW });
    expect(report.ok).toBe(false);
    expect(report.users).toEqual([{ userId: 1, username: 'user1', granted: 1000, quota: 650, used: 200, held: 0, drift: -150 }]);
    // Token 2 is unlimited: its balance is not held, so it is not checked.
    expect(report.tokens).toEqual([{ tokenId: 1, userId: 1, name: 'token1', granted: 600, remain: 380, used: 120, held: 0, drift: -100 }]);
  });

  it('compares used quota with the consume logs unless told not to', async () => {
    if (skip()) return;
    await db.logSource.query("DELETE FROM logs WHERE request_id = 'done-2'");
    const report = await reconcile(db, { now: NOW });
    expect(report.ok).toBe(false);
    expect(report.users).toEqual([]);
    expect(report.billed).toEqual([{ userId: 1, username: 'user1', used: 200, billed: 120, drift: 80 }]);

    const noLogs = await reconcile(db, { now: NOW, logs: false });
    expect(noLogs).toMatchObject({ ok: true, checked: { logs: false }, billed: [] });
  });
});

/** LOG_SQL_DSN: the main data on SQLite, the logs in MariaDB. */
describe('reconcile and the sweeper with logs in a LOG_SQL_DSN database', () => {
  let main: TestDatabase | undefined;
  let logs: TestDatabase | undefined;
  let db: Database | undefined;

  beforeAll(async () => {
    if (!(await availableDbKinds()).includes('mysql')) return;
    main = await createTestDatabase('sqlite');
    logs = await createTestDatabase('mysql');
    db = await openLedgerDb(main, { LOG_SQL_DSN: logs.env.SQL_DSN ?? '' });
  });
  afterAll(async () => {
    await db?.close();
    await main?.drop();
    await logs?.drop();
  });

  it('checks billed against the log database and writes the release log there', async () => {
    if (!db) return;
    expect(db.logSource).not.toBe(db.source);
    await seedConsistent(db);
    expect(await reconcile(db, { now: NOW })).toMatchObject({ ok: true, billed: [], stale: { count: 1 } });

    expect(await sweepExpiredReservations(db, { now: NOW })).toMatchObject({ released: 1 });
    expect((await systemLogs(db)).map((l) => l.request_id)).toEqual(['stale-1']);
    expect(await reconcile(db, { now: NOW })).toMatchObject({ ok: true, stale: { count: 0 } });

    await db.logSource.query("DELETE FROM logs WHERE request_id = 'done-3'");
    expect((await reconcile(db, { now: NOW })).billed).toEqual([{ userId: 2, username: 'user2', used: 40, billed: 0, drift: 40 }]);
  });
});
