import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '@oneapi/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface CreateDataSourceOptions {
  /** Log SQL statements (debugging only). */
  logging?: boolean;
  /** The MySQL server is MariaDB (TypeORM reads its column defaults differently). */
  mariadb?: boolean;
}

/** Builds TypeORM options for SQLite (better-sqlite3, WAL, busy timeout) or MySQL/MariaDB (mysql2). */
export function dataSourceOptions(db: DatabaseConfig, options: CreateDataSourceOptions = {}): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: options.logging ?? false,
  } as const;
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      enableWAL: true,
      timeout: db.busyTimeoutMs,
      prepareDatabase: (conn: { pragma(source: string): unknown }) => {
        conn.pragma(`busy_timeout = ${db.busyTimeoutMs}`);
        conn.pragma('synchronous = NORMAL');
        conn.pragma('foreign_keys = OFF');
      },
    };
  }
  return {
    ...common,
    type: options.mariadb ? 'mariadb' : 'mysql',
    host: db.host,
    port: db.port,
    username: db.username,
    password: db.password,
    database: db.database,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 10_000,
    poolSize: db.maxOpen,
    extra: {
      maxIdle: db.maxIdle,
      idleTimeout: db.maxLifetimeSeconds * 1000,
      enableKeepAlive: true,
    },
  };
}

export function createDataSource(db: DatabaseConfig, options: CreateDataSourceOptions = {}): DataSource {
  return new DataSource(dataSourceOptions(db, options));
}

/** Asks a MySQL server whether it is MariaDB (one short connection at boot). */
export async function isMariaDb(db: DatabaseConfig): Promise<boolean> {
  if (db.type !== 'mysql') return false;
  const { createConnection } = await import('mysql2/promise');
  const conn = await createConnection({ host: db.host, port: db.port, user: db.username, password: db.password, connectTimeout: 10_000 });
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v');
    return /mariadb/i.test(String((rows as Array<{ v: string }>)[0]?.v));
  } finally {
    await conn.end();
  }
}

/** Creates and connects the DataSource for this configuration (no migrations; see bootstrapDatabase). */
export async function openDataSource(db: DatabaseConfig, options: CreateDataSourceOptions = {}): Promise<DataSource> {
  const ds = createDataSource(db, { ...options, mariadb: options.mariadb ?? (await isMariaDb(db)) });
  await ds.initialize();
  return ds;
}

/** True when the error is a unique-constraint violation on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; errno?: number; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Driver codes meaning "the database cannot serve right now" rather than "this query is wrong":
 * the server is down, unreachable, shutting down or out of connections (mysql2), or another
 * writer held the lock beyond busy_timeout (SQLite's "database is locked").
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_USER_LIMIT_REACHED',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_CANTOPEN',
]);

// Errors some paths raise without a code: mysql2's closed pool or connection, better-sqlite3's
// closed handle, TypeORM's closed DataSource (a shutting-down process).
const UNAVAILABLE_MESSAGES = /too many connections|database is locked|pool is closed|connection is in closed state|database connection is not open|connection is not established/i;
const UNAVAILABLE_NAMES = new Set(['CannotExecuteNotConnectedError', 'ConnectionIsNotSetError']);

/**
 * True when the error (a driver error, TypeORM's QueryFailedError wrapping one, or an
 * AggregateError of connection attempts) says the database is unreachable, out of connections
 * or locked, so the caller can answer 503 instead of 500.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNAVAILABLE_CODES.has(code) || /^SQLITE_(BUSY|LOCKED)/.test(code)) return true;
  if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  const nested = [e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return nested.some((inner) => inner !== error && isDatabaseUnavailable(inner, depth + 1));
}
