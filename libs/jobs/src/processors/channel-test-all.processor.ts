import { ChannelJobRepository } from '@oneapi/data';
import type { JobContext } from '../job-context';
import { JobName, type JobPayloads } from '../job-names';
import { runBatch, type BatchResult } from './batch';
import { testChannelRow } from './channel-test.processor';

/**
 * Tests every channel in id order (One API's testChannels with scope "all": manually disabled
 * channels are measured too but never re-enabled), POLLING_INTERVAL apart.
 */
export function testAllChannels(ctx: JobContext, payload: JobPayloads['channel.test-all']): Promise<BatchResult> {
  const repo = new ChannelJobRepository(ctx.db);
  return runBatch(
    ctx,
    JobName.ChannelTestAll,
    payload.runId,
    async () => (await repo.listChannels()).map((c) => c.id),
    async (id) => {
      // Re-read each channel just before its test: an operator may have changed it meanwhile.
      const row = await repo.findChannel(id);
      if (!row) return { success: false };
      const r = await testChannelRow(ctx, repo, row);
      return { success: r.success, statusChange: r.statusChange };
    },
    (r) => `tested ${r.total} channel(s): ${r.succeeded} passed, ${r.failed} failed, ${r.disabled} disabled, ${r.enabled} enabled`,
  );
}
