import { createPool, escape, type Pool, type PoolConnection } from 'mysql2';
import type { Database } from '../../database';
import { LOG_COLUMNS, logValues } from './relay-log.repository';
import { GroupEffects, type LedgerOp, type LedgerStore } from './ledger-types';

/** Longest a group's round trip may take before the database counts as unreachable. */
const QUERY_TIMEOUT_MS = 1_000;

interface MysqlOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  database?: string;
}

type Row = Record<string, unknown>;

/**
 * The ledger on MySQL/MariaDB, on mysql2's own pool (no ORM, no per-query wrapper). A group
 * costs one round trip and a fixed handful of statements whatever its size: one summed,
 * conditional UPDATE per table, each guarded by its matched-row count, the reservation inserts
 * and deletes, the log rows and COMMIT in one packet (the sessions run without autocommit, so
 * the packet's first statement opens the transaction). Many requests on one token therefore take its row lock once per group,
 * not once per request. When a balance runs short or a settlement finds no reservation, the
 * group is rolled back and decided row by row under locks (see decideLocked).
 */
export class MysqlLedgerStore implements LedgerStore {
  readonly logsInline: boolean;
  /**
   * Two groups in flight: a reservation need not wait behind the previous request's settlement
   * (the usual case at low concurrency). Both lock rows in the same order, so they cannot deadlock.
   */
  readonly parallelGroups = 2;
  private readonly pool: Pool;

  constructor(
    db: Database,
    private readonly node: string,
  ) {
    const o = db.source.options as MysqlOptions;
    this.logsInline = db.logSource === db.source;
    this.pool = createPool({
      host: o.host,
      port: o.port,
      user: o.username,
      password: o.password,
      database: o.database,
      multipleStatements: true,
      connectionLimit: 3,
      maxIdle: 3,
      connectTimeout: QUERY_TIMEOUT_MS,
      enableKeepAlive: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
    });
    // A row lock held elsewhere (an admin edit, a sweeper) fails the group fast instead of after 50 s.
    // Without autocommit every packet opens its transaction by itself and ends it with COMMIT (or
    // the ROLLBACK after a failed guard): one statement less per group than START TRANSACTION.
    this.pool.on('connection', (conn) => conn.query('SET SESSION innodb_lock_wait_timeout = 1, autocommit = 0'));
  }

  async apply(ops: LedgerOp[], now: number, expiresAt: number): Promise<void> {
    const conn = await this.connection();
    let outcomes: Array<() => void>;
    try {
      outcomes = (await this.tryFast(conn, ops, now, expiresAt)) ?? (await this.decideLocked(conn, ops, now, expiresAt));
    } catch (error) {
      // After a failed or timed-out statement the session's state is unknown: never reuse it.
      conn.destroy();
      throw error;
    }
    conn.release();
    for (const done of outcomes) done();
  }

  /**
   * The usual case in one round trip, no reads: every balance the group touches covers all of the
   * group's reservations and extra charges, and every settlement finds its reservation. Each
   * conditional UPDATE covers all its rows at once and is followed by a guard on its matched-row
   * count (mysql2 asks for matched rows): a guard that fails raises an error, which stops the
   * packet before COMMIT. Then null, after a rollback.
   */
  private async tryFast(conn: PoolConnection, ops: LedgerOp[], now: number, expiresAt: number): Promise<Array<() => void> | null> {
    const fx = new GroupEffects();
    const tokenNeed = new Map<number, number>();
    const userNeed = new Map<number, number>();
    const need = (m: Map<number, number>, id: number, n: number) => m.set(id, (m.get(id) ?? 0) + n);
    const outcomes: Array<() => void> = [];
    for (const op of ops) {
      if (op.kind === 'reserve') {
        const r = op.r;
        const chargeToken = !r.tokenUnlimited && r.amount > 0;
        need(tokenNeed, r.tokenId, chargeToken ? r.amount : 0);
        need(userNeed, r.userId, r.amount);
        fx.token(r.tokenId, chargeToken ? -r.amount : 0, 0);
        fx.user(r.userId, -r.amount, 0, 0);
        fx.inserts.push({ ...r, tokenUnlimited: !chargeToken });
        outcomes.push(() => op.resolve('ok'));
      } else {
        const s = op.s;
        const extra = Math.max(0, s.cost - s.amount);
        need(tokenNeed, s.tokenId, s.tokenCharged ? extra : 0);
        need(userNeed, s.userId, extra);
        fx.settled(s, this.logsInline);
        outcomes.push(() => op.resolve('settled'));
      }
    }
    const tokens = [...fx.tokens];
    const users = [...fx.users];
    let sql = '';
    sql +=
      `UPDATE tokens SET remain_quota = remain_quota + ${cases(tokens, (t) => t.remain)}, used_quota = used_quota + ${cases(tokens, (t) => t.used)},` +
      ` accessed_time = ${Math.floor(now / 1000)} WHERE id IN (${tokens.map(([id]) => id).join(',')}) AND ${covers(tokenNeed, 'remain_quota')};${guard(tokens.length)}`;
    sql +=
      `UPDATE users SET quota = quota + ${cases(users, (u) => u.quota)}, used_quota = used_quota + ${cases(users, (u) => u.used)},` +
      ` request_count = request_count + ${cases(users, (u) => u.requests)} WHERE id IN (${users.map(([id]) => id).join(',')}) AND ${covers(userNeed, 'quota')};${guard(users.length)}`;
    if (fx.deletes.length) sql += `DELETE FROM reservations WHERE request_id IN (${fx.deletes.map((id) => escape(id)).join(',')});${guard(fx.deletes.length)}`;
    sql += this.inserts(fx, now, expiresAt);
    sql += 'COMMIT;';
    try {
      await query(conn, sql);
    } catch (error) {
      if ((error as { errno?: number }).errno !== ER_SUBQUERY_NO_1_ROW) throw error;
      await query(conn, 'ROLLBACK');
      return null;
    }
    return outcomes;
  }

  /**
   * The exact path: locks every token, user and reservation row the group touches (in id order,
   * so groups of different relays never deadlock each other), reads the balances and decides
   * each operation in arrival order, exactly as if each had run as its own conditional UPDATE.
   */
  private async decideLocked(conn: PoolConnection, ops: LedgerOp[], now: number, expiresAt: number): Promise<Array<() => void>> {
    const tokenIds = new Set<number>();
    const userIds = new Set<number>();
    const settleIds: string[] = [];
    for (const op of ops) {
      if (op.kind === 'reserve') {
        tokenIds.add(op.r.tokenId);
        userIds.add(op.r.userId);
      } else {
        tokenIds.add(op.s.tokenId);
        userIds.add(op.s.userId);
        settleIds.push(op.s.requestId);
      }
    }
    let sql = '';
    sql += `SELECT id, remain_quota FROM tokens WHERE id IN (${[...tokenIds].join(',')}) ORDER BY id FOR UPDATE;`;
    sql += `SELECT id, quota FROM users WHERE id IN (${[...userIds].join(',')}) ORDER BY id FOR UPDATE;`;
    if (settleIds.length) sql += `SELECT request_id FROM reservations WHERE request_id IN (${settleIds.map((id) => escape(id)).join(',')}) FOR UPDATE;`;
    const read = (await query(conn, sql)) as Row[][];
    const tokenBalance = new Map<number, number>();
    for (const row of read[0]) tokenBalance.set(Number(row.id), Number(row.remain_quota));
    const userBalance = new Map<number, number>();
    for (const row of read[1]) userBalance.set(Number(row.id), Number(row.quota));
    const held = new Set<string>(settleIds.length ? read[2].map((row) => String(row.request_id)) : []);

    const fx = new GroupEffects();
    const outcomes: Array<() => void> = [];
    for (const op of ops) {
      if (op.kind === 'reserve') {
        const r = op.r;
        const chargeToken = !r.tokenUnlimited && r.amount > 0;
        const tb = tokenBalance.get(r.tokenId);
        const ub = userBalance.get(r.userId);
        if (tb === undefined || (chargeToken && tb < r.amount)) {
          outcomes.push(() => op.resolve('token'));
        } else if (ub === undefined || (r.amount > 0 && ub < r.amount)) {
          outcomes.push(() => op.resolve('user'));
        } else {
          if (chargeToken) tokenBalance.set(r.tokenId, tb - r.amount);
          userBalance.set(r.userId, ub - r.amount);
          fx.token(r.tokenId, chargeToken ? -r.amount : 0, 0);
          fx.user(r.userId, -r.amount, 0, 0);
          fx.inserts.push({ ...r, tokenUnlimited: !chargeToken });
          outcomes.push(() => op.resolve('ok'));
        }
      } else {
        const s = op.s;
        if (!held.delete(s.requestId)) {
          outcomes.push(() => op.resolve('absent'));
          continue;
        }
        const back = s.amount - s.cost;
        if (s.tokenCharged) tokenBalance.set(s.tokenId, (tokenBalance.get(s.tokenId) ?? 0) + back);
        userBalance.set(s.userId, (userBalance.get(s.userId) ?? 0) + back);
        fx.settled(s, this.logsInline);
        outcomes.push(() => op.resolve('settled'));
      }
    }
    await query(conn, `${this.writes(fx, now, expiresAt)}COMMIT;`);
    return outcomes;
  }

  /** The group's writes as one multi-statement packet (numbers are ours; strings are escaped). */
  private writes(fx: GroupEffects, now: number, expiresAt: number): string {
    let sql = '';
    const tokenRows = [...fx.tokens].filter(([, t]) => t.remain !== 0 || t.used !== 0);
    if (tokenRows.length) {
      sql +=
        `UPDATE tokens SET remain_quota = remain_quota + ${cases(tokenRows, (t) => t.remain)}, used_quota = used_quota + ${cases(tokenRows, (t) => t.used)},` +
        ` accessed_time = ${Math.floor(now / 1000)} WHERE id IN (${tokenRows.map(([id]) => id).join(',')});`;
    }
    const userRows = [...fx.users].filter(([, u]) => u.quota !== 0 || u.used !== 0 || u.requests !== 0);
    if (userRows.length) {
      sql +=
        `UPDATE users SET quota = quota + ${cases(userRows, (u) => u.quota)}, used_quota = used_quota + ${cases(userRows, (u) => u.used)},` +
        ` request_count = request_count + ${cases(userRows, (u) => u.requests)} WHERE id IN (${userRows.map(([id]) => id).join(',')});`;
    }
    if (fx.deletes.length) sql += `DELETE FROM reservations WHERE request_id IN (${fx.deletes.map((id) => escape(id)).join(',')});`;
    return sql + this.inserts(fx, now, expiresAt);
  }

  /** Reservation rows, channel counters and log rows: the group's writes that need no decision. */
  private inserts(fx: GroupEffects, now: number, expiresAt: number): string {
    let sql = '';
    if (fx.channels.size) {
      const rows = [...fx.channels];
      sql += `UPDATE channels SET used_quota = used_quota + ${cases(rows, (q) => q)} WHERE id IN (${rows.map(([id]) => id).join(',')});`;
    }
    if (fx.inserts.length) {
      const node = escape(this.node);
      sql +=
        'INSERT INTO reservations (request_id, token_id, user_id, amount, token_charged, node, created_at, expires_at) VALUES ' +
        fx.inserts.map((r) => `(${escape(r.requestId)},${r.tokenId},${r.userId},${r.amount},${r.tokenUnlimited ? 0 : 1},${node},${now},${expiresAt})`).join(',') +
        ';';
    }
    if (fx.logs.length) sql += `INSERT INTO logs (${LOG_COLUMNS}) VALUES ${fx.logs.map((r) => `(${logValues(r).map((v) => escape(v as string | number)).join(',')})`).join(',')};`;
    return sql;
  }

  async extend(requestIds: string[], expiresAt: number): Promise<void> {
    if (requestIds.length === 0) return;
    const conn = await this.connection();
    try {
      await query(conn, `UPDATE reservations SET expires_at = ${expiresAt} WHERE request_id IN (${requestIds.map((id) => escape(id)).join(',')});COMMIT;`);
    } catch (error) {
      // The transaction may still be open: a pooled session must not carry it to the next group.
      conn.destroy();
      throw error;
    }
    conn.release();
  }

  private connection(): Promise<PoolConnection> {
    return new Promise<PoolConnection>((resolve, reject) => this.pool.getConnection((err, c) => (err ? reject(err) : resolve(c))));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.pool.end(() => resolve()));
  }
}

function query(conn: PoolConnection, sql: string): Promise<unknown> {
  return new Promise((resolve, reject) => conn.query({ sql, timeout: QUERY_TIMEOUT_MS }, (err, rows) => (err ? reject(err) : resolve(rows))));
}

/** What a scalar subquery raises when it yields two rows: how a guard stops its packet. */
const ER_SUBQUERY_NO_1_ROW = 1242;

/**
 * Fails (ER_SUBQUERY_NO_1_ROW) unless the previous statement matched `rows` rows. A statement
 * that fails ends a multi-statement packet there, so the statements after it (COMMIT above all)
 * never run; plain SQL, so MySQL and MariaDB alike, and no stored procedure to install.
 */
function guard(rows: number): string {
  return `SET @ledger_guard = (SELECT 1 FROM (SELECT 1 UNION ALL SELECT 2) g WHERE ROW_COUNT() <> ${rows});`;
}

/** `CASE id WHEN 1 THEN column >= 5 ... END`: each row's balance covers what the group needs of it. */
function covers(needs: Map<number, number>, column: string): string {
  let sql = 'CASE id';
  for (const [id, n] of needs) sql += n > 0 ? ` WHEN ${id} THEN ${column} >= ${n}` : ` WHEN ${id} THEN 1`;
  return `${sql} END`;
}

/** `CASE id WHEN 1 THEN 5 ... ELSE 0 END` over integer values we computed. */
function cases<T>(rows: Array<[number, T]>, value: (v: T) => number): string {
  let sql = 'CASE id';
  for (const [id, v] of rows) sql += ` WHEN ${id} THEN ${value(v)}`;
  return `${sql} ELSE 0 END`;
}
