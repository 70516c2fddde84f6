import { setTimeout as delay } from 'node:timers/promises';
import { nowSeconds, type JobContext } from '../job-context';
import type { BatchJobName } from '../job-names';
import { newRunId, type RunResult } from '../run-store';

/** What one channel of a batch did. */
export interface BatchItemOutcome {
  success: boolean;
  statusChange?: 'disabled' | 'enabled';
}

/** The result of an "all channels" job. `skipped` when another run of the kind holds the lease. */
export type BatchResult = (RunResult & { skipped?: false }) | { skipped: true; message: string };

/**
 * Runs `each` over `ids` under the kind's run lease, spacing channels by POLLING_INTERVAL and
 * recording progress, then stores the result. A run claimed by the admin API passes its `runId`;
 * a scheduled run claims its own. If another run holds the lease, nothing happens.
 */
export async function runBatch(
  ctx: JobContext,
  kind: BatchJobName,
  runId: string | undefined,
  ids: () => Promise<number[]>,
  each: (id: number) => Promise<BatchItemOutcome>,
  describe: (r: Omit<RunResult, 'message' | 'success'>) => string,
): Promise<BatchResult> {
  const id = runId ?? newRunId();
  if (!(await ctx.runs.claim(kind, id))) return { skipped: true, message: `a ${kind} run is already in progress` };
  const startedAt = nowSeconds(ctx);
  try {
    const list = await ids();
    const tally = { succeeded: 0, failed: 0, disabled: 0, enabled: 0 };
    await ctx.runs.progress(kind, id, 0, list.length);
    for (let i = 0; i < list.length; i++) {
      if (i > 0 && ctx.settings.pollingIntervalMs > 0) await delay(ctx.settings.pollingIntervalMs);
      const outcome = await each(list[i]);
      tally[outcome.success ? 'succeeded' : 'failed']++;
      if (outcome.statusChange) tally[outcome.statusChange]++;
      await ctx.runs.progress(kind, id, i + 1, list.length);
    }
    const base = { run_id: id, started_at: startedAt, finished_at: nowSeconds(ctx), total: list.length, ...tally };
    const result: RunResult = { ...base, success: true, message: describe(base) };
    await ctx.runs.finish(kind, result);
    ctx.logger.info({ job: kind, ...tally, total: list.length }, result.message);
    return result;
  } catch (error) {
    // Release so the retry (same runId, or the next schedule) can claim it again.
    await ctx.runs.release(kind, id).catch(() => undefined);
    throw error;
  }
}
