import type { JobContext } from '../job-context';
import { JobName, type JobPayloads } from '../job-names';
import { updateAllBalances, updateChannelBalance } from './channel-balance.processor';
import { testAllChannels } from './channel-test-all.processor';
import { testChannel } from './channel-test.processor';
import { applyLogRetention } from './log-retention.processor';
import { sweepReservations } from './reservation-sweep.processor';

/** A processor: a function of the job context and the payload. */
export type Processor<P> = (ctx: JobContext, payload: P) => Promise<unknown>;

export type ProcessorMap = { [N in keyof JobPayloads]: Processor<JobPayloads[N]> };

/** Every job's processor; both drivers run these. */
export const PROCESSORS: ProcessorMap = {
  [JobName.ChannelTest]: testChannel,
  [JobName.ChannelTestAll]: testAllChannels,
  [JobName.ChannelUpdateBalance]: updateChannelBalance,
  [JobName.ChannelUpdateBalanceAll]: updateAllBalances,
  [JobName.LogsRetention]: (ctx) => applyLogRetention(ctx),
  [JobName.ReservationsSweep]: (ctx) => sweepReservations(ctx),
};

export * from './channel-test.processor';
export * from './channel-test-all.processor';
export * from './channel-balance.processor';
export * from './log-retention.processor';
export * from './reservation-sweep.processor';
export * from './batch';
export { isDisablingFailure, type UpstreamFailure } from '@oneapi/providers';
