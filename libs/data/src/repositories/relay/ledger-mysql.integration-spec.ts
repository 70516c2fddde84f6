/**
 * The MySQL ledger's group in one round trip: the conditional UPDATEs are guarded inside the
 * packet, so a group that fits commits without the client reading anything in between, and a
 * group whose guard fails leaves nothing of its first attempt before it is decided row by row.
 * Its sessions run without autocommit, so every write must end in its own COMMIT.
 */
import { PoolConnection } from 'mysql2';
import type { Database } from '../../database';
import { balances, clearLedger, insertToken, insertUser, reservationIds, suiteLedgerDb } from '../../ledger/__tests__/ledger-fixture';
import { RelayLedger } from './relay-ledger';
import type { LedgerSettlement } from './ledger-types';

// The ledger's pool hands out these: every packet it sends goes through this query().
const pooled = PoolConnection.prototype as unknown as { query: (...args: unknown[]) => unknown };

function settlement(requestId: string, tokenId: number, userId: number, amount: number, cost: number): LedgerSettlement {
  return { requestId, tokenId, userId, amount, tokenCharged: true, channelId: 0, cost, countRequest: true, log: null };
}

describe('the ledger on MySQL', () => {
  const suite = suiteLedgerDb('mysql');
  let db: Database;
  let ledger: RelayLedger | null = null;
  let statements: string[] = [];

  beforeEach(async () => {
    if (!suite.db) return;
    db = suite.db;
    await clearLedger(db);
    await insertUser(db, { id: 1, quota: 500, granted: 500 });
    await insertToken(db, { id: 1, userId: 1, remain: 10_000, granted: 10_000 });
    ledger = RelayLedger.open(db, { ttlMs: 60_000, node: 'spec' });
    // Warm the pool so that counting starts on an open connection.
    await ledger.extend(['none']);
    statements = [];
    const original = pooled.query;
    jest.spyOn(pooled, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
      const sql = args[0] as string | { sql: string };
      statements.push(typeof sql === 'string' ? sql : sql.sql);
      return original.apply(this, args);
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await ledger?.close();
    ledger = null;
  });

  /** The suite's ledger, or null (with a note) where MariaDB is not reachable. */
  const open = (): RelayLedger | null => {
    if (!ledger) process.stderr.write('MariaDB not reachable: suite skipped\n');
    return ledger;
  };

  it('writes a group that fits in one round trip, its COMMIT included', async () => {
    const l = open();
    if (!l) return;
    const results = await Promise.all([1, 2, 3].map((n) => l.reserve({ requestId: `fit-${n}`, tokenId: 1, userId: 1, amount: 100, tokenUnlimited: false })));
    expect(results).toEqual(['ok', 'ok', 'ok']);
    expect(statements).toHaveLength(1);
    // The session runs without autocommit: the packet's first statement opens the transaction.
    expect(statements[0]).toMatch(/^UPDATE tokens .*COMMIT;$/);

    statements = [];
    const settled = await Promise.all([1, 2, 3].map((n) => l.settle(settlement(`fit-${n}`, 1, 1, 100, 40))));
    expect(settled).toEqual(['settled', 'settled', 'settled']);
    expect(statements).toHaveLength(1);
    expect(await balances(db)).toEqual({ users: { 1: 500 - 120 }, tokens: { 1: 10_000 - 120 } });
    expect(await reservationIds(db)).toEqual([]);
  });

  it('a balance short for the whole group: the token update already run in the packet is rolled back, then each reservation is decided in order', async () => {
    const l = open();
    if (!l) return;
    const results = await Promise.all([1, 2, 3].map((n) => l.reserve({ requestId: `short-${n}`, tokenId: 1, userId: 1, amount: 200, tokenUnlimited: false })));
    expect(results).toEqual(['ok', 'ok', 'user']);
    // The fast packet stopped at the user guard, the ROLLBACK, then the locked read and the writes.
    expect(statements).toHaveLength(4);
    expect(statements[1]).toBe('ROLLBACK');
    expect(await balances(db)).toEqual({ users: { 1: 100 }, tokens: { 1: 10_000 - 400 } });
    expect(await reservationIds(db)).toEqual(['short-1', 'short-2']);
  });

  it('a settlement whose reservation is gone, beside one that is held: neither is applied twice and the held one is billed exactly', async () => {
    const l = open();
    if (!l) return;
    expect(await l.reserve({ requestId: 'held', tokenId: 1, userId: 1, amount: 100, tokenUnlimited: false })).toBe('ok');
    statements = [];
    const results = await Promise.all([l.settle(settlement('held', 1, 1, 100, 30)), l.settle(settlement('gone', 1, 1, 100, 30))]);
    expect(results).toEqual(['settled', 'absent']);
    expect(statements[1]).toBe('ROLLBACK');
    expect(await balances(db)).toEqual({ users: { 1: 470 }, tokens: { 1: 10_000 - 30 } });
    const [u]: Array<{ used_quota: number; request_count: number }> = await db.source.query('SELECT used_quota, request_count FROM users WHERE id = 1');
    expect({ used: Number(u.used_quota), requests: Number(u.request_count) }).toEqual({ used: 30, requests: 1 });
    expect(await reservationIds(db)).toEqual([]);
  });

  it('an extended expiry is committed: other sessions see it at once', async () => {
    const l = open();
    if (!l) return;
    expect(await l.reserve({ requestId: 'long', tokenId: 1, userId: 1, amount: 100, tokenUnlimited: false })).toBe('ok');
    await l.extend(['long']);
    const [row]: Array<{ expires_at: number }> = await db.source.query('SELECT expires_at FROM reservations WHERE request_id = ?', ['long']);
    const before = Number(row.expires_at);
    const later = before + 3_600_000;
    // Straight to the store, so the expiry is one this spec chose.
    await (l as unknown as { store: { extend(ids: string[], at: number): Promise<void> } }).store.extend(['long'], later);
    const [after]: Array<{ expires_at: number }> = await db.source.query('SELECT expires_at FROM reservations WHERE request_id = ?', ['long']);
    expect(Number(after.expires_at)).toBe(later);
  });
});
