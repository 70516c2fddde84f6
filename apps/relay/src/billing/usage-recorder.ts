import type { Logger } from 'pino';
import { RelayLogRepository, RelayQuotaRepository, type Database, type RelayLogRow, type UsageIncrements } from '@oneapi/data';

/**
 * Write-behind for what the relay records after a response: consume logs are inserted in
 * multi-row batches every `logFlushMs` (a request never waits on its log row), and with
 * BATCH_UPDATE_ENABLED the used-quota/request-count counters of users, tokens and channels are
 * summed in memory and applied every BATCH_UPDATE_INTERVAL seconds. close() flushes both.
 */
export class UsageRecorder {
  private logs: RelayLogRow[] = [];
  private inc: UsageIncrements = { users: new Map(), tokens: new Map(), channels: new Map() };
  private logTimer: NodeJS.Timeout | null = null;
  private readonly counterTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly logRepo: RelayLogRepository;
  private readonly quotaRepo: RelayQuotaRepository;

  constructor(
    db: Database,
    private readonly logger: Logger,
    readonly batchCounters: boolean,
    batchIntervalSeconds: number,
    private readonly logFlushMs = 50,
  ) {
    this.logRepo = new RelayLogRepository(db);
    this.quotaRepo = new RelayQuotaRepository(db);
    if (batchCounters) {
      this.counterTimer = setInterval(() => void this.flushCounters(), batchIntervalSeconds * 1000);
      this.counterTimer.unref();
    }
  }

  log(row: RelayLogRow): void {
    this.logs.push(row);
    if (this.logs.length >= 500) void this.flushLogs();
    else if (!this.logTimer) {
      this.logTimer = setTimeout(() => void this.flushLogs(), this.logFlushMs);
      this.logTimer.unref();
    }
  }

  /** Adds one settlement to the batch (only used when batchCounters is on). */
  count(userId: number, tokenId: number, channelId: number, used: number, delta: number): void {
    const u = this.inc.users.get(userId);
    if (u) {
      u.used += used;
      u.requests++;
      u.delta += delta;
    } else this.inc.users.set(userId, { used, requests: 1, delta });
    const t = this.inc.tokens.get(tokenId);
    if (t) {
      t.used += used;
      t.delta += delta;
    } else this.inc.tokens.set(tokenId, { used, delta });
    if (channelId > 0) this.inc.channels.set(channelId, (this.inc.channels.get(channelId) ?? 0) + used);
  }

  private flushLogs(): Promise<void> {
    if (this.logTimer) {
      clearTimeout(this.logTimer);
      this.logTimer = null;
    }
    const rows = this.logs;
    if (rows.length === 0) return this.flushing;
    this.logs = [];
    this.flushing = this.flushing
      .then(() => this.logRepo.insertMany(rows))
      .catch((error: Error) => this.logger.error({ err: error.message, rows: rows.length }, 'consume log insert failed'));
    return this.flushing;
  }

  private async flushCounters(): Promise<void> {
    const inc = this.inc;
    this.inc = { users: new Map(), tokens: new Map(), channels: new Map() };
    try {
      await this.quotaRepo.applyIncrements(inc);
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, 'batched counter update failed; re-queued');
      for (const [id, v] of inc.users) {
        const cur = this.inc.users.get(id) ?? { used: 0, requests: 0, delta: 0 };
        this.inc.users.set(id, { used: cur.used + v.used, requests: cur.requests + v.requests, delta: cur.delta + v.delta });
      }
      for (const [id, v] of inc.tokens) {
        const cur = this.inc.tokens.get(id) ?? { used: 0, delta: 0 };
        this.inc.tokens.set(id, { used: cur.used + v.used, delta: cur.delta + v.delta });
      }
      for (const [id, q] of inc.channels) this.inc.channels.set(id, (this.inc.channels.get(id) ?? 0) + q);
    }
  }

  /** Writes everything pending (tests call it to read exact rows; shutdown calls it too). */
  async flush(): Promise<void> {
    await this.flushLogs();
    if (this.batchCounters) await this.flushCounters();
  }

  async close(): Promise<void> {
    if (this.counterTimer) clearInterval(this.counterTimer);
    await this.flush();
  }
}
