import type { ChannelEntity } from '@oneapi/data';

/** A channel as One API serialises it, with the key masked (the full key is never sent after creation). */
export interface ChannelView {
  id: number;
  type: number;
  /** Masked: first and last 4 characters of long keys, `****` otherwise. */
  key: string;
  status: number;
  name: string;
  weight: number;
  priority: number;
  created_time: number;
  test_time: number;
  response_time: number;
  base_url: string;
  other: string;
  balance: number;
  balance_updated_time: number;
  models: string;
  group: string;
  used_quota: number;
  model_mapping: string;
  config: string;
  system_prompt: string;
}

/** Masks a channel key for display. Short keys reveal nothing. */
export function maskKey(key: string): string {
  if (key.length < 16) return '****';
  return `${key.slice(0, 4)}****${key.slice(-4)}`;
}

export function toChannelView(c: ChannelEntity): ChannelView {
  return {
    id: c.id,
    type: c.type,
    key: maskKey(c.key),
    status: c.status,
    name: c.name,
    weight: c.weight,
    priority: c.priority,
    created_time: c.createdTime,
    test_time: c.testTime,
    response_time: c.responseTime,
    base_url: c.baseUrl ?? '',
    other: c.other ?? '',
    balance: c.balance,
    balance_updated_time: c.balanceUpdatedTime,
    models: c.models ?? '',
    group: c.group,
    used_quota: c.usedQuota,
    model_mapping: c.modelMapping ?? '',
    config: c.config ?? '',
    system_prompt: c.systemPrompt ?? '',
  };
}
