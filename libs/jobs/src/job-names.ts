/**
 * Background job names and their payloads. Payloads carry ids, never a channel key or any other
 * secret (SPEC section 12): BullMQ stores them in Redis in clear text.
 */
export const JobName = {
  ChannelTest: 'channel.test',
  ChannelTestAll: 'channel.test-all',
  ChannelUpdateBalance: 'channel.update-balance',
  ChannelUpdateBalanceAll: 'channel.update-balance-all',
  LogsRetention: 'logs.retention',
  ReservationsSweep: 'reservations.sweep',
} as const;

export type JobName = (typeof JobName)[keyof typeof JobName];

export const JOB_NAMES: readonly JobName[] = Object.values(JobName);

/** The two "all channels" runs whose progress and last result the admin API shows. */
export type BatchJobName = typeof JobName.ChannelTestAll | typeof JobName.ChannelUpdateBalanceAll;

export interface JobPayloads {
  [JobName.ChannelTest]: { channelId: number; model?: string };
  /** `runId` is set when the admin API claimed the run before enqueueing it (see RunStore). */
  [JobName.ChannelTestAll]: { runId?: string };
  [JobName.ChannelUpdateBalance]: { channelId: number };
  [JobName.ChannelUpdateBalanceAll]: { runId?: string };
  [JobName.LogsRetention]: Record<string, never>;
  [JobName.ReservationsSweep]: Record<string, never>;
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}
