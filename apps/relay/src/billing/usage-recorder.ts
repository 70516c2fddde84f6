import type { Logger } from 'pino';
import { RelayLogRepository, type Database, type RelayLogRow } from '@oneapi/data';

/**
 * Write-behind for log rows the relay writes outside a settlement's transaction (consume logs
 * when LOG_SQL_DSN puts them in another database): inserted in multi-row batches every
 * `logFlushMs`, so a request never waits on its log row. close() flushes.
 */
export class UsageRecorder {
  private logs: RelayLogRow[] = [];
  private logTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly logRepo: RelayLogRepository;

  constructor(
    db: Database,
    private readonly logger: Logger,
    private readonly logFlushMs = 50,
  ) {
    this.logRepo = new RelayLogRepository(db);
  }

  log(row: RelayLogRow): void {
    this.logs.push(row);
    if (this.logs.length >= 500) void this.flush();
    else if (!this.logTimer) {
      this.logTimer = setTimeout(() => void this.flush(), this.logFlushMs);
      this.logTimer.unref();
    }
  }

  /** Writes everything pending (tests call it to read exact rows; shutdown calls it too). */
  flush(): Promise<void> {
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

  close(): Promise<void> {
    return this.flush();
  }
}
