/**
 * The options the jobs read, with One API's defaults (common/config/config.go):
 * AutomaticDisableChannelEnabled=false, AutomaticEnableChannelEnabled=false,
 * ChannelDisableThreshold=5 (seconds). `LogRetentionDays` is ours (0/empty = use the env).
 * TODO(domain): read these through @oneapi/domain's option registry once it lands.
 */
export interface JobOptions {
  automaticDisable: boolean;
  automaticEnable: boolean;
  disableThresholdSeconds: number;
  logRetentionDays: number | undefined;
}

const flag = (v: string | undefined): boolean => (v ?? '').trim().toLowerCase() === 'true';

function positive(v: string | undefined): number | undefined {
  const n = Number.parseFloat(v ?? '');
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export function readJobOptions(raw: Readonly<Record<string, string>>): JobOptions {
  const retention = positive(raw['LogRetentionDays']);
  return {
    automaticDisable: flag(raw['AutomaticDisableChannelEnabled']),
    automaticEnable: flag(raw['AutomaticEnableChannelEnabled']),
    disableThresholdSeconds: positive(raw['ChannelDisableThreshold']) ?? 5,
    logRetentionDays: retention === undefined ? undefined : Math.floor(retention),
  };
}
