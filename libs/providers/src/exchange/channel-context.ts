import { ChannelType } from '@oneapi/domain';
import type { ChannelContext } from '../adapter.types';

/** The columns of a channel row an adapter needs (the relay's and the worker's rows both fit). */
export interface ChannelContextRow {
  id: number;
  type: number;
  /** The stored key (encrypted at rest when CHANNEL_KEY_SECRET is set). */
  key: string;
  baseUrl?: string | null;
  /** The channel's `config` JSON object, or ''. */
  config: string;
  /** Legacy `other` column: Azure's api-version on channels imported from old One API versions. */
  other?: string | null;
}

function parseJsonObject(raw: string | null | undefined): Record<string, unknown> {
  if (!raw || !raw.trim()) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The adapter context of a channel row: `config` values as strings, the key decoded (and, when
 * old data holds several keys one per line, the first one). `other` becomes Azure's
 * `api_version` when the config has none; other types never read it (it held unrelated values
 * there in old One API versions). Throws what `decodeKey` throws (a key that cannot be decrypted).
 */
export function channelContextOf(row: ChannelContextRow, decodeKey?: (stored: string) => string): ChannelContext {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseJsonObject(row.config))) {
    if (v === null || v === undefined) continue;
    config[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  const other = (row.other ?? '').trim();
  if (row.type === ChannelType.Azure && !config.api_version && other) config.api_version = other;
  const key = decodeKey ? decodeKey(row.key) : row.key;
  return { id: row.id, type: row.type, key: key.split('\n')[0].trim(), baseUrl: row.baseUrl, config };
}

/** A channel's `model_mapping` JSON (`{"asked": "sent"}`) as a map; identity and non-string entries are left out. */
export function modelMappingOf(json: string): Map<string, string> {
  const mapping = new Map<string, string>();
  for (const [from, to] of Object.entries(parseJsonObject(json))) {
    const target = typeof to === 'string' ? to.trim() : '';
    if (target !== '' && target !== from) mapping.set(from, target);
  }
  return mapping;
}

/** A channel's comma-separated `models` column as a list (blanks dropped, order kept). */
export function channelModelsOf(csv: string): string[] {
  return csv
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}
