import type { ChannelJobRow } from '@oneapi/data';
import { ChannelType } from '@oneapi/domain';
import type { ChannelContext } from '@oneapi/providers';
import type { JobContext } from '../job-context';

function parseObject(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What the adapters need from a channel row; the key decrypted, never logged. */
export function channelContextOf(ctx: Pick<JobContext, 'decodeKey'>, row: ChannelJobRow): ChannelContext {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseObject(row.config))) if (v !== null && v !== undefined) config[k] = String(v);
  // Channels imported from old One API versions keep Azure's api version in `other`.
  if (row.type === ChannelType.Azure && !config['api_version'] && row.other.trim()) config['api_version'] = row.other.trim();
  const key = ctx.decodeKey ? ctx.decodeKey(row.key) : row.key;
  // A key field may hold several keys one per line in old data; the first one is tested.
  return { id: row.id, type: row.type, key: key.split('\n')[0].trim(), baseUrl: row.baseUrl, config };
}

/** The model a test asks for: `requested`, else the channel's first model, else the adapter's first default. */
export function pickTestModel(row: ChannelJobRow, requested: string | undefined, defaults: readonly string[]): string {
  const wanted = (requested ?? '').trim();
  if (wanted) return wanted;
  const first = row.models
    .split(',')
    .map((m) => m.trim())
    .find(Boolean);
  return first ?? defaults[0] ?? 'gpt-3.5-turbo';
}

/** The channel's `model_mapping` applied to `model` (One API: a JSON object of strings). */
export function mapModel(row: ChannelJobRow, model: string): string {
  const mapped = parseObject(row.modelMapping)[model];
  return typeof mapped === 'string' && mapped.trim() ? mapped.trim() : model;
}
