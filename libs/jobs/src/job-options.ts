import { readOptions } from '@oneapi/domain';

/** The options the jobs read, typed by @oneapi/domain's option registry (One API's defaults). */
export interface JobOptions {
  automaticDisable: boolean;
  automaticEnable: boolean;
  /** Seconds; 0 or less means no response-time limit. */
  disableThresholdSeconds: number;
  /**
   * `LogRetentionDays` (ours, not a One API option and not in the registry yet): when set to a
   * positive number it overrides LOG_RETENTION_DAYS.
   */
  logRetentionDays: number | undefined;
}

export function readJobOptions(raw: Readonly<Record<string, string>>): JobOptions {
  const o = readOptions(raw);
  const retention = Number.parseFloat(raw['LogRetentionDays'] ?? '');
  return {
    automaticDisable: o.AutomaticDisableChannelEnabled,
    automaticEnable: o.AutomaticEnableChannelEnabled,
    disableThresholdSeconds: o.ChannelDisableThreshold,
    logRetentionDays: Number.isFinite(retention) && retention > 0 ? Math.floor(retention) : undefined,
  };
}
