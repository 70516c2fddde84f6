import { execAffected } from '../../sql';
import type { Database } from '../../database';

/** A channel as the relay routes to it (key included: it never leaves the process). */
export interface RelayChannelRow {
  id: number;
  type: number;
  key: string;
  status: number;
  name: string;
  weight: number;
  priority: number;
  baseUrl: string;
  models: string;
  group: string;
  /** JSON `{"from": "to"}` or ''. */
  modelMapping: string;
  /** JSON object or ''. */
  config: string;
  /** Legacy `other` column (Azure api-version on channels imported from old One API). */
  other: string;
  systemPrompt: string;
  /** Capacity across all relays (0 = unlimited): requests at once, requests and tokens per minute. */
  maxConcurrency: number;
  rpm: number;
  tpm: number;
}

/** One row of `abilities`. */
export interface RelayAbilityRow {
  group: string;
  model: string;
  channelId: number;
  enabled: boolean;
  priority: number;
  weight: number;
}

type Raw = Record<string, unknown>;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/**
 * Channels and abilities for the relay's in-memory routing table, plus the relay's only
 * channel writes: automatic disabling and used-quota counters.
 */
export class RelayChannelRepository {
  constructor(private readonly db: Database) {}

  async loadChannels(): Promise<RelayChannelRow[]> {
    const rows: Raw[] = await this.db.source.query(
      'SELECT id, type, `key`, status, name, weight, priority, base_url, models, `group`, model_mapping, config, other, system_prompt, max_concurrency, rpm, tpm FROM channels',
    );
    return rows.map((r) => ({
      id: num(r.id),
      type: num(r.type),
      key: str(r.key),
      status: num(r.status),
      name: str(r.name),
      weight: num(r.weight),
      priority: num(r.priority),
      baseUrl: str(r.base_url),
      models: str(r.models),
      group: str(r.group),
      modelMapping: str(r.model_mapping),
      config: str(r.config),
      other: str(r.other),
      systemPrompt: str(r.system_prompt),
      maxConcurrency: num(r.max_concurrency),
      rpm: num(r.rpm),
      tpm: num(r.tpm),
    }));
  }

  /** Every ability, enabled or not (a disabled one still tells the relay the model exists: 503, not 404). */
  async loadAbilities(): Promise<RelayAbilityRow[]> {
    const rows: Raw[] = await this.db.source.query('SELECT `group`, model, channel_id, enabled, priority, weight FROM abilities');
    return rows.map((r) => ({
      group: str(r.group),
      model: str(r.model),
      channelId: num(r.channel_id),
      enabled: num(r.enabled) === 1,
      priority: num(r.priority),
      weight: num(r.weight),
    }));
  }

  /**
   * Sets an enabled channel to `status` (3 = auto-disabled) and disables its abilities, in one
   * transaction. Returns false when the channel was not enabled (another node got there first).
   */
  async disableChannel(channelId: number, status: number): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const changed = await execAffected(m, 'UPDATE channels SET status = ? WHERE id = ? AND status = 1', [status, channelId]);
      if (changed === 0) return false;
      await execAffected(m, 'UPDATE abilities SET enabled = 0 WHERE channel_id = ?', [channelId]);
      return true;
    });
  }
}
