import type { Database } from '../../database';

/** One consume (or error) log row as the relay writes it. */
export interface RelayLogRow {
  userId: number;
  createdAt: number;
  type: number;
  content: string;
  username: string;
  tokenName: string;
  modelName: string;
  quota: number;
  promptTokens: number;
  completionTokens: number;
  channelId: number;
  requestId: string;
  elapsedTime: number;
  isStream: boolean;
  /** The channel's system prompt replaced the client's or was put first (One API's flag). */
  systemPromptReset?: boolean;
}

export const LOG_COLUMNS =
  'user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens, channel_id, request_id, elapsed_time, is_stream, system_prompt_reset';

/** One row's `(?, ...)` for LOG_COLUMNS. */
export const LOG_PLACEHOLDERS = `(${LOG_COLUMNS.split(',').map(() => '?').join(', ')})`;

/** A row's values in LOG_COLUMNS order. */
export function logValues(r: RelayLogRow): unknown[] {
  return [r.userId, r.createdAt, r.type, r.content, r.username, r.tokenName, r.modelName, r.quota, r.promptTokens, r.completionTokens, r.channelId, r.requestId, r.elapsedTime, r.isStream ? 1 : 0, r.systemPromptReset ? 1 : 0];
}

interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): unknown };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

const sqliteInserts = new WeakMap<object, (rows: readonly RelayLogRow[]) => void>();

/** Inserts relay log rows in multi-row INSERTs on the logs database (LOG_SQL_DSN or the main one). */
export class RelayLogRepository {
  constructor(private readonly db: Database) {}

  async insertMany(rows: readonly RelayLogRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.db.logSource.options.type === 'better-sqlite3') {
      // SQLite: one cached prepared statement run per row inside one transaction (one commit),
      // cheaper than building a multi-row statement through the ORM's query runner.
      const conn = (this.db.logSource.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
      if (conn) {
        let insert = sqliteInserts.get(conn);
        if (!insert) {
          const stmt = conn.prepare(`INSERT INTO logs (${LOG_COLUMNS}) VALUES ${LOG_PLACEHOLDERS}`);
          insert = conn.transaction((batch: readonly RelayLogRow[]) => {
            for (const r of batch) stmt.run(...logValues(r));
          });
          sqliteInserts.set(conn, insert);
        }
        insert(rows);
        return;
      }
    }
    // 15 parameters per row; 60 rows stays well under SQLite's and MySQL's parameter limits.
    for (let i = 0; i < rows.length; i += 60) {
      const slice = rows.slice(i, i + 60);
      const params = slice.flatMap(logValues);
      const values = slice.map(() => LOG_PLACEHOLDERS).join(', ');
      await this.db.logSource.query(`INSERT INTO logs (${LOG_COLUMNS}) VALUES ${values}`, params);
    }
  }
}
