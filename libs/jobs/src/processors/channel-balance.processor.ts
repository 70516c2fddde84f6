import { ChannelJobRepository, type ChannelJobRow } from '@oneapi/data';
import { ChannelStatus } from '@oneapi/domain';
import { channelContextOf, queryBalance } from '@oneapi/providers';
import { nowSeconds, type JobContext } from '../job-context';
import { JobName, type JobPayloads } from '../job-names';
import { readJobOptions } from '../job-options';
import { runBatch, type BatchResult } from './batch';
import { notifyRoot } from './notify-root';

/** One API's answer to `GET /api/channel/update_balance/:id`. */
export interface BalanceUpdateResult {
  success: boolean;
  message: string;
  /** Stored balance (USD, or CNY for DeepSeek/SiliconFlow as One API stores them). */
  balance?: number;
  currency?: 'USD' | 'CNY';
  channelId: number;
  notFound?: boolean;
  statusChange?: 'disabled';
}

async function updateRow(ctx: JobContext, repo: ChannelJobRepository, row: ChannelJobRow, disableWhenEmpty: boolean): Promise<BalanceUpdateResult> {
  let ch;
  try {
    ch = channelContextOf(row, ctx.decodeKey);
  } catch (error) {
    return { success: false, message: (error as Error).message, channelId: row.id };
  }
  const result = await queryBalance(ch, ctx.balanceFetch);
  if (!result.ok) return { success: false, message: result.message, channelId: row.id };
  await repo.recordBalance(row.id, result.balanceUsd, nowSeconds(ctx));
  const out: BalanceUpdateResult = { success: true, message: '', balance: result.balanceUsd, currency: result.currency, channelId: row.id };
  // One API's updateAllChannelsBalance disables a channel whose balance ran out; here only when
  // automatic disabling is on, and only from enabled (never touching a manual disable).
  if (disableWhenEmpty && result.balanceUsd <= 0 && row.status === ChannelStatus.Enabled && readJobOptions(ctx.options.raw()).automaticDisable) {
    if (await repo.autoDisable(row.id)) {
      out.statusChange = 'disabled';
      await ctx.bus.publish({ topic: 'channels' });
      await notifyRoot(ctx, `Channel "${row.name}" (#${row.id}) has been disabled`, `Channel "${row.name}" (#${row.id}) was disabled automatically. Reason: its balance is ${result.balanceUsd}.`);
    }
  }
  return out;
}

/** Reads one channel's upstream balance and stores `balance` and `balance_updated_time`. */
export async function updateChannelBalance(ctx: JobContext, payload: JobPayloads['channel.update-balance']): Promise<BalanceUpdateResult> {
  const repo = new ChannelJobRepository(ctx.db);
  const row = await repo.findChannel(payload.channelId);
  if (!row) return { success: false, notFound: true, message: `channel #${payload.channelId} does not exist`, channelId: payload.channelId };
  return updateRow(ctx, repo, row, false);
}

/** Updates the balance of every enabled channel (One API skips disabled ones), POLLING_INTERVAL apart. */
export function updateAllBalances(ctx: JobContext, payload: JobPayloads['channel.update-balance-all']): Promise<BatchResult> {
  const repo = new ChannelJobRepository(ctx.db);
  return runBatch(
    ctx,
    JobName.ChannelUpdateBalanceAll,
    payload.runId,
    async () => (await repo.listChannels()).filter((c) => c.status === ChannelStatus.Enabled).map((c) => c.id),
    async (id) => {
      const row = await repo.findChannel(id);
      if (!row) return { success: false };
      const r = await updateRow(ctx, repo, row, true);
      return { success: r.success, statusChange: r.statusChange };
    },
    (r) => `updated the balance of ${r.succeeded} of ${r.total} channel(s)${r.failed ? ` (${r.failed} failed or not supported)` : ''}${r.disabled ? `, ${r.disabled} disabled` : ''}`,
  );
}
