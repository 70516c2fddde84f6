import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadTestEnv, parseSqlDsn, type DatabaseConfig } from '@oneapi/config';

export type DbKind = 'sqlite' | 'mysql';

export interface TestDatabase {
  kind: DbKind;
  config: DatabaseConfig;
  /** Environment variables that point a service process at this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

let mysqlReachable: Promise<boolean> | undefined;

/** Whether the test MariaDB answers; under CI=true an unreachable server is an error, not a skip. */
export function isMysqlAvailable(): Promise<boolean> {
  mysqlReachable ??= (async () => {
    const env = loadTestEnv();
    const server = parseSqlDsn(env.sqlDsn.replace(/\/$/, '/mysql'), 'TEST_SQL_DSN');
    if (server.type !== 'mysql') return false;
    try {
      const conn = await createConnection({ host: server.host, port: server.port, user: server.username, password: server.password, connectTimeout: 3000 });
      await conn.end();
      return true;
    } catch (error) {
      if (env.ci) throw new Error(`CI=true but MariaDB at ${server.host}:${server.port} is not reachable: ${(error as Error).message}`);
      process.stderr.write(`\n*** MariaDB at ${server.host}:${server.port} is not reachable: MySQL suites are SKIPPED. Start it or set TEST_SQL_DSN. ***\n\n`);
      return false;
    }
  })();
  return mysqlReachable;
}

/** The database kinds to run a suite against: SQLite always, MariaDB when reachable (always under CI). */
export async function availableDbKinds(): Promise<DbKind[]> {
  return (await isMysqlAvailable()) ? ['sqlite', 'mysql'] : ['sqlite'];
}

/** Creates a fresh, empty database of the given kind; `drop()` removes it. */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'oneapi-test-'));
    const path = join(dir, 'one-api.db');
    return {
      kind,
      config: { type: 'sqlite', path, busyTimeoutMs: 5000 },
      env: { SQLITE_PATH: path },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const env = loadTestEnv();
  const server = parseSqlDsn(env.sqlDsn.replace(/\/$/, '/mysql'), 'TEST_SQL_DSN');
  if (server.type !== 'mysql') throw new Error('TEST_SQL_DSN must be a MySQL DSN');
  const database = `oneapi_test_${suffix}`;
  const admin = await createConnection({ host: server.host, port: server.port, user: server.username, password: server.password });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const auth = server.username ? `${encodeURIComponent(server.username)}${server.password ? `:${encodeURIComponent(server.password)}` : ''}@` : '';
  return {
    kind,
    config: { ...server, database },
    env: { SQL_DSN: `mysql://${auth}${server.host}:${server.port}/${database}` },
    drop: async () => {
      const conn = await createConnection({ host: server.host, port: server.port, user: server.username, password: server.password });
      await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await conn.end();
    },
  };
}
