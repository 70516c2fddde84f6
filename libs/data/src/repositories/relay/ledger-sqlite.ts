import type { Database } from '../../database';
import { LOG_COLUMNS, LOG_PLACEHOLDERS, logValues } from './relay-log.repository';
import type { LedgerOp, LedgerStore, ReserveResult, SettleResult } from './ledger-types';

interface Statement {
  run(...params: unknown[]): { changes: number };
}
interface Transaction<F> {
  immediate: F;
}
interface SqliteConnection {
  prepare(sql: string): Statement;
  pragma(source: string): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & Transaction<F>;
}

/** The longest the event loop may block on another process's write lock; longer waits are retried asynchronously. */
const BUSY_WAIT_MS = 50;

/**
 * The ledger on SQLite: each group is one IMMEDIATE transaction on TypeORM's better-sqlite3
 * connection with cached prepared statements, every operation applied in order with its own
 * conditional statements (the group's outcome is exactly that of running them one by one).
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly logsInline: boolean;
  // Groups are applied synchronously: one is never waiting on another.
  readonly parallelGroups = 1;
  private readonly run: (ops: LedgerOp[], now: number, expiresAt: number) => Array<ReserveResult | SettleResult>;
  private readonly extendStmt: Statement;

  constructor(db: Database, node: string) {
    const conn = connectionOf(db);
    // A lock held by another process (admin, sqlite3 shell) must not freeze the relay for seconds.
    conn.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
    this.logsInline = db.logSource === db.source;
    const reserveToken = conn.prepare('UPDATE tokens SET remain_quota = remain_quota - ? WHERE id = ? AND remain_quota >= ?');
    const reserveUser = conn.prepare('UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ?');
    const giveBackToken = conn.prepare('UPDATE tokens SET remain_quota = remain_quota + ? WHERE id = ?');
    const insert = conn.prepare(
      'INSERT INTO reservations (request_id, token_id, user_id, amount, token_charged, node, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const remove = conn.prepare('DELETE FROM reservations WHERE request_id = ?');
    const settleToken = conn.prepare('UPDATE tokens SET remain_quota = remain_quota + ?, used_quota = used_quota + ?, accessed_time = ? WHERE id = ?');
    const settleUser = conn.prepare('UPDATE users SET quota = quota + ?, used_quota = used_quota + ?, request_count = request_count + ? WHERE id = ?');
    const channelUsed = conn.prepare('UPDATE channels SET used_quota = used_quota + ? WHERE id = ?');
    const log = this.logsInline ? conn.prepare(`INSERT INTO logs (${LOG_COLUMNS}) VALUES ${LOG_PLACEHOLDERS}`) : null;
    this.extendStmt = conn.prepare('UPDATE reservations SET expires_at = ? WHERE request_id = ?');

    const tx = conn.transaction((ops: LedgerOp[], now: number, expiresAt: number) => {
      const seconds = Math.floor(now / 1000);
      const results: Array<ReserveResult | SettleResult> = new Array(ops.length);
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        if (op.kind === 'reserve') {
          const r = op.r;
          const chargeToken = !r.tokenUnlimited && r.amount > 0;
          if (chargeToken && reserveToken.run(r.amount, r.tokenId, r.amount).changes === 0) {
            results[i] = 'token';
            continue;
          }
          if (r.amount > 0 && reserveUser.run(r.amount, r.userId, r.amount).changes === 0) {
            if (chargeToken) giveBackToken.run(r.amount, r.tokenId);
            results[i] = 'user';
            continue;
          }
          insert.run(r.requestId, r.tokenId, r.userId, r.amount, chargeToken ? 1 : 0, node, now, expiresAt);
          results[i] = 'ok';
        } else {
          const s = op.s;
          if (remove.run(s.requestId).changes === 0) {
            results[i] = 'absent';
            continue;
          }
          const back = s.amount - s.cost;
          settleToken.run(s.tokenCharged ? back : 0, s.cost, seconds, s.tokenId);
          settleUser.run(back, s.cost, s.countRequest ? 1 : 0, s.userId);
          if (s.cost !== 0 && s.channelId > 0) channelUsed.run(s.cost, s.channelId);
          if (log && s.log) log.run(...logValues(s.log));
          results[i] = 'settled';
        }
      }
      return results;
    });
    this.run = tx.immediate;
  }

  apply(ops: LedgerOp[], now: number, expiresAt: number): Promise<void> {
    const results = this.run(ops, now, expiresAt);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (op.kind === 'reserve') op.resolve(results[i] as ReserveResult);
      else op.resolve(results[i] as SettleResult);
    }
    return Promise.resolve();
  }

  extend(requestIds: string[], expiresAt: number): Promise<void> {
    for (const id of requestIds) this.extendStmt.run(expiresAt, id);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function connectionOf(db: Database): SqliteConnection {
  const conn = (db.source.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
  if (!conn) throw new Error('the SQLite connection is not open');
  return conn;
}
