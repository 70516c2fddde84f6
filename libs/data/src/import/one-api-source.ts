import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSqlDsn, type DatabaseConfig } from '@oneapi/config';

/** One row of a source table, as the driver returns it. */
export type SourceRow = Record<string, unknown>;

/** Where a One API database lives: a SQLite file or a MySQL/MariaDB server. */
export type OneApiSourceLocation = { kind: 'sqlite'; path: string } | { kind: 'mysql'; config: Extract<DatabaseConfig, { type: 'mysql' }> };

/**
 * Reads a One API database through its own driver connection (never TypeORM: the source schema
 * is One API's GORM schema, which varies by version). Read-only.
 */
export interface OneApiSource {
  readonly location: OneApiSourceLocation;
  /** For reports: the file path, or user@host:port/db (never the password). */
  readonly description: string;
  tableNames(): Promise<Set<string>>;
  columnNames(table: string): Promise<string[]>;
  count(table: string): Promise<number>;
  /** Smallest and largest `id` (null when the table is empty). */
  idRange(table: string): Promise<{ min: number; max: number } | null>;
  /** Rows in batches; tables with an `id` column are paged by id (keyset), others read whole. */
  batches(table: string, batchSize: number): AsyncIterable<SourceRow[]>;
  close(): Promise<void>;
}

/**
 * Tells a SQLite path from a MySQL DSN. Accepts `mysql://user:pass@host:3306/db` and One API's
 * go-sql-driver form `user:pass@tcp(host:3306)/db?parseTime=true`; anything else must be an
 * existing file.
 */
export function parseOneApiSourceLocation(from: string): OneApiSourceLocation {
  const text = from.trim();
  if (!text) throw new Error('--from is empty: give a SQLite file path or a MySQL DSN');
  if (/^postgres(ql)?:\/\//i.test(text)) throw new Error('PostgreSQL One API databases are not supported: export to MySQL or SQLite first');
  const looksLikeDsn = /^mysql:\/\//i.test(text) || /@(tcp|unix)?\(/.test(text);
  if (looksLikeDsn) {
    const config = parseSqlDsn(text, '--from');
    if (config.type !== 'mysql') throw new Error('--from: not a MySQL DSN');
    if (!config.database) throw new Error('--from: the DSN names no database');
    return { kind: 'mysql', config };
  }
  const path = resolve(text);
  if (!existsSync(path)) throw new Error(`--from: no such SQLite file ${path} (or give a MySQL DSN: mysql://user:pass@host:3306/db or user:pass@tcp(host:3306)/db)`);
  return { kind: 'sqlite', path };
}

const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;

interface Queryable {
  all(sql: string, params?: unknown[]): Promise<SourceRow[]>;
  close(): Promise<void>;
}

function createSource(location: OneApiSourceLocation, description: string, db: Queryable, listTables: () => Promise<string[]>, listColumns: (t: string) => Promise<string[]>): OneApiSource {
  const columnsCache = new Map<string, string[]>();
  const columnNames = async (table: string) => {
    let cols = columnsCache.get(table);
    if (!cols) {
      cols = await listColumns(table);
      columnsCache.set(table, cols);
    }
    return cols;
  };
  return {
    location,
    description,
    tableNames: async () => new Set(await listTables()),
    columnNames,
    async count(table) {
      const rows = await db.all(`SELECT COUNT(*) AS n FROM ${quote(table)}`);
      return Number(rows[0]?.['n'] ?? 0);
    },
    async idRange(table) {
      if (!(await columnNames(table)).includes('id')) return null;
      const rows = await db.all(`SELECT MIN(id) AS lo, MAX(id) AS hi FROM ${quote(table)}`);
      const lo = rows[0]?.['lo'];
      const hi = rows[0]?.['hi'];
      return lo === null || lo === undefined ? null : { min: Number(lo), max: Number(hi) };
    },
    async *batches(table, batchSize) {
      if (!(await columnNames(table)).includes('id')) {
        const rows = await db.all(`SELECT * FROM ${quote(table)}`);
        for (let i = 0; i < rows.length; i += batchSize) yield rows.slice(i, i + batchSize);
        return;
      }
      // Keyset paging keeps memory flat on million-row log tables and works on both drivers.
      let after = Number.MIN_SAFE_INTEGER;
      for (;;) {
        const rows = await db.all(`SELECT * FROM ${quote(table)} WHERE id > ? ORDER BY id LIMIT ${Math.floor(batchSize)}`, [after]);
        if (!rows.length) return;
        yield rows;
        after = Number(rows[rows.length - 1]?.['id']);
        if (rows.length < batchSize) return;
      }
    },
    close: () => db.close(),
  };
}

async function openSqliteSource(location: Extract<OneApiSourceLocation, { kind: 'sqlite' }>): Promise<OneApiSource> {
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const conn = new BetterSqlite3(location.path, { readonly: true, fileMustExist: true });
  try {
    conn.prepare('SELECT COUNT(*) FROM sqlite_master').get();
  } catch (error) {
    conn.close();
    throw new Error(`--from: ${location.path} is not a SQLite database (${(error as Error).message})`);
  }
  const db: Queryable = {
    all: async (sql, params = []) => conn.prepare(sql).all(...params) as SourceRow[],
    close: async () => {
      conn.close();
    },
  };
  return createSource(
    location,
    location.path,
    db,
    async () => (await db.all("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => String(r['name'])),
    async (table) => (await db.all(`PRAGMA table_info(${quote(table)})`)).map((r) => String(r['name'])),
  );
}

async function openMysqlSource(location: Extract<OneApiSourceLocation, { kind: 'mysql' }>): Promise<OneApiSource> {
  const { createConnection } = await import('mysql2/promise');
  const c = location.config;
  const conn = await createConnection({
    host: c.host,
    port: c.port,
    user: c.username,
    password: c.password,
    database: c.database,
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: false,
    // GORM's DeletedAt is a DATETIME; it is only tested for NULL, so keep it as text.
    dateStrings: true,
    connectTimeout: 10_000,
  });
  const db: Queryable = {
    all: async (sql, params = []) => {
      const [rows] = await conn.query(sql, params);
      return rows as SourceRow[];
    },
    close: () => conn.end(),
  };
  return createSource(
    location,
    `${c.username ? `${c.username}@` : ''}${c.host}:${c.port}/${c.database}`,
    db,
    async () => (await db.all('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')).map((r) => String(r['name'])),
    async (table) =>
      (await db.all('SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position', [table])).map((r) =>
        String(r['name']),
      ),
  );
}

/** Opens the One API database named by `--from` (see parseOneApiSourceLocation). */
export async function openOneApiSource(from: string | OneApiSourceLocation): Promise<OneApiSource> {
  const location = typeof from === 'string' ? parseOneApiSourceLocation(from) : from;
  return location.kind === 'sqlite' ? openSqliteSource(location) : openMysqlSource(location);
}
