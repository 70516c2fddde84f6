import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ChannelJobRepository } from '@oneapi/data';
import { nowSeconds, type JobContext } from '../job-context';
import { readJobOptions } from '../job-options';

export interface LogRetentionResult {
  /** Days kept; 0 means retention is off and nothing was deleted. */
  days: number;
  deleted: number;
  cutoff?: number;
}

/**
 * Deletes logs older than N days in batches: N is the `LogRetentionDays` option when set, else
 * LOG_RETENTION_DAYS (0 = off). Idempotent; an interrupted run just leaves rows for the next one.
 */
export async function applyLogRetention(ctx: JobContext): Promise<LogRetentionResult> {
  const days = readJobOptions(ctx.options.raw()).logRetentionDays ?? ctx.settings.logRetentionDays;
  if (!days || days <= 0) return { days: 0, deleted: 0 };
  const repo = new ChannelJobRepository(ctx.db);
  const cutoff = nowSeconds(ctx) - days * 86_400;
  const size = Math.max(1, ctx.settings.retentionBatchSize);
  let deleted = 0;
  for (;;) {
    const n = await repo.deleteLogsBefore(cutoff, size);
    deleted += n;
    if (n < size) break;
    await yieldToLoop();
  }
  if (deleted > 0) ctx.logger.info({ deleted, days }, 'old logs deleted');
  return { days, deleted, cutoff };
}
