/**
 * The ledger's grouping under steady traffic: reservations arrive on every event-loop turn, and
 * settlements must still reach the database within their delay (they used to wait for a turn
 * without reservations, so under load every streamed request stayed in flight until the relay
 * answered 503 server_busy at 32 clients).
 */
import type { DbKind } from '@oneapi/testing';
import type { Database } from '../../database';
import { balances, clearLedger, insertToken, insertUser, reservationIds, suiteLedgerDb } from '../../ledger/__tests__/ledger-fixture';
import { RelayLedger } from './relay-ledger';

/** One event-loop turn, the way requests arrive from sockets. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each(['sqlite', 'mysql'] as DbKind[])('the ledger on %s under steady reservations', (kind) => {
  const suite = suiteLedgerDb(kind);
  let db: Database;
  let ledger: RelayLedger | null = null;

  beforeEach(async () => {
    if (!suite.db) return;
    db = suite.db;
    await clearLedger(db);
    await insertUser(db, { id: 1, quota: 1_000_000, granted: 1_000_000 });
    await insertToken(db, { id: 1, userId: 1, remain: 1_000_000, granted: 1_000_000 });
    ledger = RelayLedger.open(db, { ttlMs: 60_000, node: 'spec' });
  });
  afterEach(async () => {
    await ledger?.close();
    ledger = null;
  });

  it('writes a settlement while a reservation arrives on every turn, and each group keeps the order of money', async () => {
    if (!ledger) return process.stderr.write(`${kind} not reachable: suite skipped\n`);
    const open = ledger;
    expect(await open.reserve({ requestId: 'first', tokenId: 1, userId: 1, amount: 100, tokenUnlimited: false })).toBe('ok');
    let settled = false;
    const settlement = open.settle({ requestId: 'first', tokenId: 1, userId: 1, amount: 100, tokenCharged: true, channelId: 0, cost: 40, countRequest: true, log: null }).then((r) => {
      settled = true;
      return r;
    });
    // Forty times the settlement delay; the loop ends as soon as it is written.
    const reserved: Array<Promise<string>> = [];
    const until = Date.now() + 2_000;
    let turns = 0;
    while (!settled && Date.now() < until) {
      reserved.push(open.reserve({ requestId: `r-${turns}`, tokenId: 1, userId: 1, amount: 10, tokenUnlimited: false }));
      await turn();
      turns++;
    }
    expect(settled).toBe(true);
    expect(await settlement).toBe('settled');
    expect(new Set(await Promise.all(reserved))).toEqual(new Set(['ok']));
    const held = (await reservationIds(db)).filter((id) => id.startsWith('r-'));
    expect(held).toHaveLength(reserved.length);
    expect(await balances(db)).toEqual({ users: { 1: 1_000_000 - 40 - 10 * reserved.length }, tokens: { 1: 1_000_000 - 40 - 10 * reserved.length } });
  });
});
