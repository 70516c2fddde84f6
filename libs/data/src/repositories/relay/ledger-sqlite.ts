import type { Database } from '../../database';
import { LOG_COLUMNS, LOG_PLACEHOLDERS, logValues } from './relay-log.repository';
import type { RelayLogRow } from './relay-log.repository';
import type { LedgerOp, LedgerReservation, LedgerStore, ReserveResult, SettleResult } from './ledger-types';

interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  pluck(): Statement;
}
interface Transaction<F> {
  immediate: F;
}
interface SqliteConnection {
  prepare(sql: string): Statement;
  pragma(source: string): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & Transaction<F>;
}

type Results = Array<ReserveResult | SettleResult>;

/** The longest the event loop may block on another process's write lock; longer waits are retried asynchronously. */
const BUSY_WAIT_MS = 50;

/** Rows per multi-row statement: the usual group needs one, and at most this many forms of each are prepared. */
const MAX_ROWS = 64;

const RESERVATION_COLUMNS = 'request_id, token_id, user_id, amount, token_charged, node, created_at, expires_at';

/**
 * The ledger on SQLite: each group is one IMMEDIATE transaction on TypeORM's better-sqlite3
 * connection with cached prepared statements. The group is decided in JS from the balances read
 * inside the transaction (exact: IMMEDIATE holds the write lock), in arrival order, as if each
 * operation ran its own conditional statements; then its writes are summed: one UPDATE per
 * token, user and channel touched, multi-row DELETE (whose RETURNING says which settlements
 * found their reservation) and INSERTs. A group naming one request id twice runs one by one.
 */
export class SqliteLedgerStore implements LedgerStore {
  readonly logsInline: boolean;
  // Groups are applied synchronously: one is never waiting on another.
  readonly parallelGroups = 1;
  private readonly run: (ops: LedgerOp[], now: number, expiresAt: number) => Results;
  private readonly extendStmt: Statement;

  constructor(db: Database, node: string) {
    const conn = connectionOf(db);
    // A lock held by another process (admin, sqlite3 shell) must not freeze the relay for seconds.
    conn.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
    this.logsInline = db.logSource === db.source;
    const logsInline = this.logsInline;

    // One by one: every operation its own conditional statements.
    const reserveToken = conn.prepare('UPDATE tokens SET remain_quota = remain_quota - ? WHERE id = ? AND remain_quota >= ?');
    const reserveUser = conn.prepare('UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ?');
    const giveBackToken = conn.prepare('UPDATE tokens SET remain_quota = remain_quota + ? WHERE id = ?');
    const insert = conn.prepare(`INSERT INTO reservations (${RESERVATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    const remove = conn.prepare('DELETE FROM reservations WHERE request_id = ?');
    const log = logsInline ? conn.prepare(`INSERT INTO logs (${LOG_COLUMNS}) VALUES ${LOG_PLACEHOLDERS}`) : null;

    // Summed: these four also serve the one-by-one path.
    const settleToken = conn.prepare('UPDATE tokens SET remain_quota = remain_quota + ?, used_quota = used_quota + ?, accessed_time = ? WHERE id = ?');
    const settleUser = conn.prepare('UPDATE users SET quota = quota + ?, used_quota = used_quota + ?, request_count = request_count + ? WHERE id = ?');
    const channelUsed = conn.prepare('UPDATE channels SET used_quota = used_quota + ? WHERE id = ?');
    const tokenBalance = conn.prepare('SELECT remain_quota FROM tokens WHERE id = ?').pluck();
    const userBalance = conn.prepare('SELECT quota FROM users WHERE id = ?').pluck();
    const removeMany = byRows(conn, (n) => `DELETE FROM reservations WHERE request_id IN (${placeholders(n)}) RETURNING request_id`, (s) => s.pluck());
    const insertMany = byRows(conn, (n) => `INSERT INTO reservations (${RESERVATION_COLUMNS}) VALUES ${repeat('(?, ?, ?, ?, ?, ?, ?, ?)', n)}`);
    const logMany = byRows(conn, (n) => `INSERT INTO logs (${LOG_COLUMNS}) VALUES ${repeat(LOG_PLACEHOLDERS, n)}`);
    this.extendStmt = conn.prepare('UPDATE reservations SET expires_at = ? WHERE request_id = ?');

    const oneByOne = (ops: LedgerOp[], now: number, expiresAt: number): Results => {
      const seconds = Math.floor(now / 1000);
      const results: Results = new Array(ops.length);
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
    };

    const summed = (ops: LedgerOp[], now: number, expiresAt: number): Results => {
      // The balances the group's reservations are checked against (null: no such row, so refused).
      const tokens = new Map<number, number | null>();
      const users = new Map<number, number | null>();
      const settleIds: string[] = [];
      for (const op of ops) {
        if (op.kind === 'settle') settleIds.push(op.s.requestId);
        else if (op.r.amount > 0) {
          const r = op.r;
          if (!r.tokenUnlimited && !tokens.has(r.tokenId)) tokens.set(r.tokenId, balance(tokenBalance.get(r.tokenId)));
          if (!users.has(r.userId)) users.set(r.userId, balance(userBalance.get(r.userId)));
        }
      }
      // Ids are distinct within the group, so deleting every settlement's row first decides each exactly.
      const found = new Set<string>();
      for (let i = 0; i < settleIds.length; i += MAX_ROWS) {
        const chunk = settleIds.slice(i, i + MAX_ROWS);
        for (const id of removeMany(chunk.length).all(...chunk) as string[]) found.add(id);
      }

      const tokenFx = new Map<number, { remain: number; used: number; settled: boolean }>();
      const userFx = new Map<number, { quota: number; used: number; requests: number }>();
      const channelFx = new Map<number, number>();
      const inserts: LedgerReservation[] = [];
      const logs: RelayLogRow[] = [];
      const results: Results = new Array(ops.length);
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        if (op.kind === 'reserve') {
          const r = op.r;
          if (r.amount > 0) {
            const chargeToken = !r.tokenUnlimited;
            const tb = chargeToken ? (tokens.get(r.tokenId) as number | null) : Infinity;
            if (tb === null || tb < r.amount) {
              results[i] = 'token';
              continue;
            }
            const ub = users.get(r.userId) as number | null;
            if (ub === null || ub < r.amount) {
              results[i] = 'user';
              continue;
            }
            users.set(r.userId, ub - r.amount);
            addUser(userFx, r.userId, -r.amount, 0, 0);
            if (chargeToken) {
              tokens.set(r.tokenId, tb - r.amount);
              addToken(tokenFx, r.tokenId, -r.amount, 0, false);
            }
          }
          inserts.push(r);
          results[i] = 'ok';
        } else {
          const s = op.s;
          if (!found.has(s.requestId)) {
            results[i] = 'absent';
            continue;
          }
          const back = s.amount - s.cost;
          const tokenBack = s.tokenCharged ? back : 0;
          const tb = tokens.get(s.tokenId);
          if (tb != null) tokens.set(s.tokenId, tb + tokenBack);
          const ub = users.get(s.userId);
          if (ub != null) users.set(s.userId, ub + back);
          addToken(tokenFx, s.tokenId, tokenBack, s.cost, true);
          addUser(userFx, s.userId, back, s.cost, s.countRequest ? 1 : 0);
          if (s.cost !== 0 && s.channelId > 0) channelFx.set(s.channelId, (channelFx.get(s.channelId) ?? 0) + s.cost);
          if (logsInline && s.log) logs.push(s.log);
          results[i] = 'settled';
        }
      }

      const seconds = Math.floor(now / 1000);
      for (const [id, t] of tokenFx) {
        // Reservations alone do not touch accessed_time; a settlement does, even with nothing to add.
        if (t.settled) settleToken.run(t.remain, t.used, seconds, id);
        else giveBackToken.run(t.remain, id);
      }
      for (const [id, u] of userFx) settleUser.run(u.quota, u.used, u.requests, id);
      for (const [id, used] of channelFx) if (used !== 0) channelUsed.run(used, id);
      for (let i = 0; i < inserts.length; i += MAX_ROWS) {
        const params: unknown[] = [];
        const end = Math.min(inserts.length, i + MAX_ROWS);
        for (let j = i; j < end; j++) {
          const r = inserts[j];
          params.push(r.requestId, r.tokenId, r.userId, r.amount, !r.tokenUnlimited && r.amount > 0 ? 1 : 0, node, now, expiresAt);
        }
        insertMany(end - i).run(...params);
      }
      for (let i = 0; i < logs.length; i += MAX_ROWS) {
        const params: unknown[] = [];
        const end = Math.min(logs.length, i + MAX_ROWS);
        for (let j = i; j < end; j++) params.push(...logValues(logs[j]));
        logMany(end - i).run(...params);
      }
      return results;
    };

    const tx = conn.transaction((ops: LedgerOp[], now: number, expiresAt: number) =>
      repeatsAnId(ops) ? oneByOne(ops, now, expiresAt) : summed(ops, now, expiresAt),
    );
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

/**
 * Whether a request id occurs twice (a reservation settled in its own group, a settlement
 * queued twice): the order of its operations then matters, and the summed path ignores it.
 */
function repeatsAnId(ops: LedgerOp[]): boolean {
  const seen = new Set<string>();
  for (const op of ops) {
    const id = op.kind === 'reserve' ? op.r.requestId : op.s.requestId;
    if (seen.has(id)) return true;
    seen.add(id);
  }
  return false;
}

function balance(value: unknown): number | null {
  return value === undefined || value === null ? null : Number(value);
}

function addToken(fx: Map<number, { remain: number; used: number; settled: boolean }>, id: number, remain: number, used: number, settled: boolean): void {
  const t = fx.get(id);
  if (t) {
    t.remain += remain;
    t.used += used;
    t.settled ||= settled;
  } else fx.set(id, { remain, used, settled });
}

function addUser(fx: Map<number, { quota: number; used: number; requests: number }>, id: number, quota: number, used: number, requests: number): void {
  const u = fx.get(id);
  if (u) {
    u.quota += quota;
    u.used += used;
    u.requests += requests;
  } else fx.set(id, { quota, used, requests });
}

/** The statement for `n` rows, prepared the first time a group needs it. */
function byRows(conn: SqliteConnection, sql: (n: number) => string, shape: (s: Statement) => Statement = (s) => s): (n: number) => Statement {
  const cache: Statement[] = [];
  return (n) => (cache[n] ??= shape(conn.prepare(sql(n))));
}

function placeholders(n: number): string {
  return repeat('?', n);
}

function repeat(item: string, n: number): string {
  return new Array<string>(n).fill(item).join(', ');
}

function connectionOf(db: Database): SqliteConnection {
  const conn = (db.source.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
  if (!conn) throw new Error('the SQLite connection is not open');
  return conn;
}
