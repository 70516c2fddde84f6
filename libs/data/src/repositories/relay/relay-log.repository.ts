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
}

const COLUMNS =
  'user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens, channel_id, request_id, elapsed_time, is_stream';

/** Inserts relay log rows in multi-row INSERTs on the logs database (LOG_SQL_DSN or the main one). */
export class RelayLogRepository {
  constructor(private readonly db: Database) {}

  async insertMany(rows: readonly RelayLogRow[]): Promise<void> {
    // 14 parameters per row; 60 rows stays well under SQLite's and MySQL's parameter limits.
    for (let i = 0; i < rows.length; i += 60) {
      const slice = rows.slice(i, i + 60);
      const params: unknown[] = [];
      for (const r of slice) {
        params.push(
          r.userId,
          r.createdAt,
          r.type,
          r.content,
          r.username,
          r.tokenName,
          r.modelName,
          r.quota,
          r.promptTokens,
          r.completionTokens,
          r.channelId,
          r.requestId,
          r.elapsedTime,
          r.isStream ? 1 : 0,
        );
      }
      const values = slice.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      await this.db.logSource.query(`INSERT INTO logs (${COLUMNS}) VALUES ${values}`, params);
    }
  }
}
