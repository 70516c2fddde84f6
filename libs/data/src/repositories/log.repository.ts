import type { EntityManager } from 'typeorm';
import { LogType } from '@oneapi/domain';
import { LogEntity } from '../entities';
import type { Database } from '../database';
import { execAffected } from '../sql';
import { likeContains, withSqliteWriteLock, type PageRequest, type PageResult } from './sql-helpers';

/** A log row to write (One API's model.Log); omitted numbers are 0. */
export interface NewLog {
  userId: number;
  type: LogType;
  content: string;
  username?: string;
  tokenName?: string;
  modelName?: string;
  quota?: number;
  promptTokens?: number;
  completionTokens?: number;
  channelId?: number;
  requestId?: string;
  elapsedTime?: number;
  isStream?: boolean;
  /** Unix seconds; defaults to now. */
  createdAt?: number;
}

/** Filters of One API's log queries; undefined/0/'' means "any". Timestamps are inclusive unix seconds. */
export interface LogFilter {
  userId?: number;
  type?: number;
  startTimestamp?: number;
  endTimestamp?: number;
  username?: string;
  tokenName?: string;
  modelName?: string;
  channelId?: number;
}

export interface LogStat {
  /** Quota consumed (consume logs only, as One API's SumUsedQuota). */
  quota: number;
  /** Prompt + completion tokens of those logs. */
  token: number;
}

/** One row of the user dashboard, with One API's field names (LogStatistic has no json tags). */
export interface DashboardRow {
  Day: string;
  ModelName: string;
  RequestCount: number;
  Quota: number;
  PromptTokens: number;
  CompletionTokens: number;
}

/**
 * `logs` in `db.logSource` (LOG_SQL_DSN's database, or the main one). Admin queries, stats,
 * the dashboard aggregation and batched deletion.
 */
export class LogRepository {
  constructor(private readonly db: Database) {}

  private get source() {
    return this.db.logSource;
  }

  /** True when logs share the main database, so a log can be written in a main-DB transaction. */
  get sharesMainDatabase(): boolean {
    return this.db.logSource === this.db.source;
  }

  /** Writes a log with the given manager (inside a caller's transaction on the log database). */
  static async insertWith(manager: EntityManager, log: NewLog): Promise<void> {
    await manager.query(
      'INSERT INTO logs (user_id, created_at, type, content, username, token_name, model_name, quota, prompt_tokens, completion_tokens, channel_id, request_id, elapsed_time, is_stream) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        log.userId, log.createdAt ?? Math.floor(Date.now() / 1000), log.type, log.content, log.username ?? '', log.tokenName ?? '', log.modelName ?? '',
        log.quota ?? 0, log.promptTokens ?? 0, log.completionTokens ?? 0, log.channelId ?? 0, log.requestId ?? '', log.elapsedTime ?? 0, log.isStream ? 1 : 0,
      ],
    );
  }

  insert(log: NewLog): Promise<void> {
    return withSqliteWriteLock(this.source, () => LogRepository.insertWith(this.source.manager, log));
  }

  private filtered(filter: LogFilter) {
    const qb = this.source.manager.getRepository(LogEntity).createQueryBuilder('l');
    if (filter.userId !== undefined) qb.andWhere('l.userId = :userId', { userId: filter.userId });
    if (filter.type) qb.andWhere('l.type = :type', { type: filter.type });
    if (filter.startTimestamp) qb.andWhere('l.createdAt >= :start', { start: filter.startTimestamp });
    if (filter.endTimestamp) qb.andWhere('l.createdAt <= :end', { end: filter.endTimestamp });
    if (filter.username) qb.andWhere('l.username = :username', { username: filter.username });
    if (filter.tokenName) qb.andWhere('l.tokenName = :tokenName', { tokenName: filter.tokenName });
    if (filter.modelName) qb.andWhere('l.modelName = :modelName', { modelName: filter.modelName });
    if (filter.channelId) qb.andWhere('l.channelId = :channelId', { channelId: filter.channelId });
    return qb;
  }

  async query(filter: LogFilter, page: PageRequest): Promise<PageResult<LogEntity>> {
    const [items, total] = await this.filtered(filter).orderBy('l.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return { items, total };
  }

  /** Logs (of one user when userId is given) whose content, model or token name contains the keyword. */
  async search(keyword: string, page: PageRequest, userId?: number): Promise<PageResult<LogEntity>> {
    const qb = this.filtered({ userId });
    qb.andWhere("(l.content LIKE :like ESCAPE '!' OR l.modelName LIKE :like ESCAPE '!' OR l.tokenName LIKE :like ESCAPE '!' OR l.username LIKE :like ESCAPE '!')", { like: likeContains(keyword) });
    const [items, total] = await qb.orderBy('l.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return { items, total };
  }

  /** Consumed quota and tokens for the filter (the type filter is ignored: consume logs only). */
  async stat(filter: LogFilter): Promise<LogStat> {
    const row = await this.filtered({ ...filter, type: LogType.Consume })
      .select('COALESCE(SUM(l.quota), 0)', 'quota')
      .addSelect('COALESCE(SUM(l.promptTokens + l.completionTokens), 0)', 'token')
      .getRawOne<{ quota: number | string; token: number | string }>();
    return { quota: Number(row?.quota ?? 0), token: Number(row?.token ?? 0) };
  }

  /**
   * The user's consume logs between start and end grouped by local day and model. Days are
   * computed from unix seconds shifted by `utcOffsetSeconds` so both databases agree.
   */
  async dashboard(userId: number, start: number, end: number, utcOffsetSeconds: number): Promise<DashboardRow[]> {
    const dayExpr = this.source.options.type === 'better-sqlite3' ? '((created_at + CAST(? AS INTEGER)) / 86400)' : '((created_at + ?) DIV 86400)';
    const rows: Array<{ day: number | string; model_name: string; request_count: number | string; quota: number | string; prompt_tokens: number | string; completion_tokens: number | string }> =
      await this.source.query(
        `SELECT ${dayExpr} AS day, model_name, COUNT(*) AS request_count, COALESCE(SUM(quota), 0) AS quota, ` +
          'COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(completion_tokens), 0) AS completion_tokens ' +
          'FROM logs WHERE user_id = ? AND type = ? AND created_at >= ? AND created_at <= ? GROUP BY day, model_name ORDER BY day, model_name',
        [utcOffsetSeconds, userId, LogType.Consume, start, end],
      );
    return rows.map((r) => ({
      Day: new Date(Number(r.day) * 86_400_000).toISOString().slice(0, 10),
      ModelName: r.model_name,
      RequestCount: Number(r.request_count),
      Quota: Number(r.quota),
      PromptTokens: Number(r.prompt_tokens),
      CompletionTokens: Number(r.completion_tokens),
    }));
  }

  /** Deletes logs created before the timestamp in batches (short locks on a big table); returns how many. */
  async deleteBefore(timestamp: number, batchSize = 5000): Promise<number> {
    const sql =
      this.source.options.type === 'better-sqlite3'
        ? 'DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE created_at < ? LIMIT ?)'
        : 'DELETE FROM logs WHERE created_at < ? LIMIT ?';
    let total = 0;
    for (;;) {
      const affected = await withSqliteWriteLock(this.source, () => execAffected(this.source.manager, sql, [timestamp, batchSize]));
      total += affected;
      if (affected < batchSize) return total;
    }
  }
}
