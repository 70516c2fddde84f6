import { LessThan } from 'typeorm';
import { ChannelEntity, LogEntity, UserEntity } from '../entities';
import type { Database } from '../database';
import { execAffected } from '../sql';

// Mirrors @oneapi/domain's enums (libs/data may import domain, but the numbers are One API's schema).
const ENABLED = 1;
const AUTO_DISABLED = 3;
const ROLE_ROOT = 100;
const LOG_TYPE_TEST = 5;

/** The channel fields a test or balance job reads (the key as stored: maybe encrypted). */
export interface ChannelJobRow {
  id: number;
  type: number;
  name: string;
  key: string;
  status: number;
  baseUrl: string;
  /** Comma-separated. */
  models: string;
  modelMapping: string;
  config: string;
  /** Deprecated One API column (Azure's api version in old databases). */
  other: string;
}

export interface TestLogInput {
  channelId: number;
  modelName: string;
  content: string;
  elapsedMs: number;
  createdAt: number;
}

const toRow = (c: ChannelEntity): ChannelJobRow => ({
  id: c.id,
  type: c.type,
  name: c.name,
  key: c.key,
  status: c.status,
  baseUrl: c.baseUrl ?? '',
  models: c.models ?? '',
  modelMapping: c.modelMapping ?? '',
  config: c.config ?? '',
  other: c.other ?? '',
});

/**
 * Data access for the background jobs (channel tests, balance updates, log retention).
 * Status changes are conditional UPDATEs so a job never overrides an operator: the job disables
 * only an enabled channel (1 → 3) and re-enables only an auto-disabled one (3 → 1), never a
 * manual disable (2); the channel's abilities follow in the same transaction.
 */
export class ChannelJobRepository {
  constructor(private readonly db: Database) {}

  async findChannel(id: number): Promise<ChannelJobRow | null> {
    const c = await this.db.manager.getRepository(ChannelEntity).findOneBy({ id });
    return c ? toRow(c) : null;
  }

  /** Every channel id, in id order (One API tests them all; callers filter by status). */
  async listChannels(): Promise<Pick<ChannelJobRow, 'id' | 'status' | 'type'>[]> {
    const rows = await this.db.manager.getRepository(ChannelEntity).find({ select: { id: true, status: true, type: true }, order: { id: 'ASC' } });
    return rows.map((r) => ({ id: r.id, status: r.status, type: r.type }));
  }

  /** Stores a test's outcome: `response_time` in ms (0 after a failure, as One API) and `test_time`. */
  /** Stores the last test: latency (0 when it failed), time, model and why it failed ('' if it passed). */
  async recordTest(id: number, responseTimeMs: number, testTime: number, model = '', error = ''): Promise<void> {
    await execAffected(this.db.manager, 'UPDATE channels SET response_time = ?, test_time = ?, test_model = ?, test_error = ? WHERE id = ?', [
      Math.round(responseTimeMs),
      testTime,
      model.slice(0, 255),
      error.slice(0, 512),
      id,
    ]);
  }

  async recordBalance(id: number, balance: number, updatedTime: number): Promise<void> {
    await execAffected(this.db.manager, 'UPDATE channels SET balance = ?, balance_updated_time = ? WHERE id = ?', [balance, updatedTime, id]);
  }

  /** Enabled (1) → auto-disabled (3). True when this call changed it. */
  autoDisable(id: number): Promise<boolean> {
    return this.switchStatus(id, ENABLED, AUTO_DISABLED);
  }

  /** Auto-disabled (3) → enabled (1); a manual disable (2) is left alone. True when this call changed it. */
  autoEnable(id: number): Promise<boolean> {
    return this.switchStatus(id, AUTO_DISABLED, ENABLED);
  }

  private switchStatus(id: number, from: number, to: number): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const changed = await execAffected(manager, 'UPDATE channels SET status = ? WHERE id = ? AND status = ?', [to, id, from]);
      if (changed !== 1) return false;
      await execAffected(manager, 'UPDATE abilities SET enabled = ? WHERE channel_id = ?', [to === ENABLED ? 1 : 0, id]);
      return true;
    });
  }

  /** A test log (type 5) in the logs database. */
  async writeTestLog(input: TestLogInput): Promise<void> {
    await this.db.logSource.manager.getRepository(LogEntity).insert({
      userId: 0,
      createdAt: input.createdAt,
      type: LOG_TYPE_TEST,
      content: input.content,
      username: '',
      tokenName: '',
      modelName: input.modelName.slice(0, 128),
      quota: 0,
      promptTokens: 0,
      completionTokens: 0,
      channelId: input.channelId,
      requestId: '',
      elapsedTime: Math.round(input.elapsedMs),
      isStream: false,
    });
  }

  /** The first enabled root's email, for notices ('' when none is set). */
  async rootEmail(): Promise<string> {
    const root = await this.db.manager.getRepository(UserEntity).findOne({ where: { role: ROLE_ROOT, status: ENABLED }, order: { id: 'ASC' }, select: { id: true, email: true } });
    return root?.email ?? '';
  }

  /**
   * Deletes up to `batchSize` logs created before `cutoff` (unix seconds) and returns how many went.
   * Small batches keep each statement short so the relay's log inserts are not blocked for long.
   * MySQL allows DELETE ... LIMIT but not LIMIT inside an IN subquery; SQLite the opposite.
   */
  async deleteLogsBefore(cutoff: number, batchSize: number): Promise<number> {
    const source = this.db.logSource;
    const sql =
      source.options.type === 'better-sqlite3'
        ? 'DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE created_at < ? ORDER BY id LIMIT ?)'
        : 'DELETE FROM logs WHERE created_at < ? ORDER BY id LIMIT ?';
    return execAffected(source.manager, sql, [cutoff, batchSize]);
  }

  /** Logs older than `cutoff` (tests and the retention job's report). */
  countLogsBefore(cutoff: number): Promise<number> {
    return this.db.logSource.manager.getRepository(LogEntity).countBy({ createdAt: LessThan(cutoff) });
  }
}
