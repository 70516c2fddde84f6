import type { ChannelEntity } from '@oneapi/data';
import type { ChannelView } from '@oneapi/domain';

export type { ChannelView };

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
    test_model: c.testModel ?? '',
    test_error: c.testError ?? '',
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
    max_concurrency: c.maxConcurrency ?? 0,
    rpm: c.rpm ?? 0,
    tpm: c.tpm ?? 0,
  };
}
