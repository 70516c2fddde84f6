'use client';
import { Tag } from 'antd';
import { useTranslations } from 'next-intl';
import { ChannelStatus, LogType, RedemptionStatus, TokenStatus, UserStatus } from '@oneapi/domain';

export function TokenStatusTag({ status }: { status: number }) {
  const t = useTranslations('status');
  switch (status) {
    case TokenStatus.Enabled: return <Tag color="green">{t('enabled')}</Tag>;
    case TokenStatus.Disabled: return <Tag color="red">{t('disabled')}</Tag>;
    case TokenStatus.Expired: return <Tag color="gold">{t('expired')}</Tag>;
    case TokenStatus.Exhausted: return <Tag color="orange">{t('exhausted')}</Tag>;
    default: return <Tag>{t('unknown')}</Tag>;
  }
}

export function UserStatusTag({ status }: { status: number }) {
  const t = useTranslations('status');
  switch (status) {
    case UserStatus.Enabled: return <Tag color="green">{t('enabled')}</Tag>;
    case UserStatus.Disabled: return <Tag color="red">{t('disabled')}</Tag>;
    case UserStatus.Deleted: return <Tag>{t('deleted')}</Tag>;
    default: return <Tag>{t('unknown')}</Tag>;
  }
}

export function ChannelStatusTag({ status }: { status: number }) {
  const t = useTranslations('status');
  switch (status) {
    case ChannelStatus.Enabled: return <Tag color="green">{t('enabled')}</Tag>;
    case ChannelStatus.ManuallyDisabled: return <Tag color="red">{t('disabled')}</Tag>;
    case ChannelStatus.AutoDisabled: return <Tag color="volcano">{t('autoDisabled')}</Tag>;
    default: return <Tag>{t('unknown')}</Tag>;
  }
}

export function RedemptionStatusTag({ status }: { status: number }) {
  const t = useTranslations('status');
  switch (status) {
    case RedemptionStatus.Enabled: return <Tag color="green">{t('unused')}</Tag>;
    case RedemptionStatus.Disabled: return <Tag color="red">{t('disabled')}</Tag>;
    case RedemptionStatus.Used: return <Tag>{t('used')}</Tag>;
    default: return <Tag>{t('unknown')}</Tag>;
  }
}

const LOG_COLORS: Record<number, string> = {
  [LogType.Topup]: 'green',
  [LogType.Consume]: 'blue',
  [LogType.Manage]: 'orange',
  [LogType.System]: 'purple',
  [LogType.Test]: 'cyan',
};

export function LogTypeTag({ type }: { type: number }) {
  const t = useTranslations('logType');
  const key = LogType[type] as string | undefined;
  return <Tag color={LOG_COLORS[type]}>{key ? t(key.toLowerCase()) : t('unknown')}</Tag>;
}

/** Response time in ms coloured as One API does (green < 1 s … red ≥ 10 s). */
export function ResponseTimeTag({ ms }: { ms: number | undefined | null }) {
  if (!ms) return <Tag>-</Tag>;
  const color = ms < 1000 ? 'green' : ms < 3000 ? 'lime' : ms < 5000 ? 'gold' : ms < 10000 ? 'orange' : 'red';
  return <Tag color={color}>{(ms / 1000).toFixed(2)} s</Tag>;
}
