import { execAffected } from '../../sql';
import type { Database } from '../../database';

interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

const statements = new WeakMap<object, Map<string, SqliteStatement>>();

/**
 * Runs a write and returns the affected rows, like `execAffected`, but on SQLite it uses a cached
 * better-sqlite3 prepared statement on TypeORM's own connection: the relay runs a few of these per
 * request and the ORM's query-runner round trip costs more than the statement itself.
 */
export async function execAffectedFast(db: Database, sql: string, params: unknown[]): Promise<number> {
  if (db.kind === 'sqlite') {
    const conn = (db.source.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
    if (conn) {
      let cache = statements.get(conn);
      if (!cache) statements.set(conn, (cache = new Map()));
      let stmt = cache.get(sql);
      if (!stmt) cache.set(sql, (stmt = conn.prepare(sql)));
      return stmt.run(...params).changes;
    }
  }
  return execAffected(db.manager, sql, params);
}
