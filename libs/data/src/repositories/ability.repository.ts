import type { EntityManager } from 'typeorm';
import { ChannelStatus } from '@oneapi/domain';
import type { Database } from '../database';

/** The channel fields abilities are derived from. */
export interface AbilitySource {
  id: number;
  status: number;
  /** Comma-separated groups. */
  group: string;
  /** Comma-separated models. */
  models: string | null;
  priority: number;
  weight: number;
}

/** Splits One API's comma lists, trimming and dropping empties and duplicates (order kept). */
export function splitCommaList(value: string | null | undefined): string[] {
  const seen = new Set<string>();
  for (const part of (value ?? '').split(',')) {
    const item = part.trim();
    if (item) seen.add(item);
  }
  return [...seen];
}

/** Rows per multi-row INSERT (well under SQLite's 32766 bound parameters). */
const INSERT_CHUNK = 200;

/**
 * `abilities`: one row per (group, model, channel), the index the relay routes by. Always
 * rebuilt from the channel inside the transaction that writes the channel (One API's
 * AddAbilities/UpdateAbilities), so the relay never sees a channel without its abilities.
 */
export class AbilityRepository {
  constructor(private readonly db: Database) {}

  /** Replaces the channel's abilities with group × model rows carrying its priority, weight and enabled flag. */
  async rebuildForChannel(manager: EntityManager, channel: AbilitySource): Promise<number> {
    await this.deleteForChannel(manager, channel.id);
    const groups = splitCommaList(channel.group);
    const models = splitCommaList(channel.models);
    const enabled = channel.status === ChannelStatus.Enabled ? 1 : 0;
    const rows: unknown[][] = [];
    for (const group of groups) for (const model of models) rows.push([group, model, channel.id, enabled, channel.priority, channel.weight]);
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await manager.query(
        `INSERT INTO abilities (\`group\`, model, channel_id, enabled, priority, weight) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flat(),
      );
    }
    return rows.length;
  }

  async deleteForChannel(manager: EntityManager, channelId: number): Promise<void> {
    await manager.query('DELETE FROM abilities WHERE channel_id = ?', [channelId]);
  }

  /** Models that at least one enabled channel serves to this group, sorted. */
  async modelsForGroup(group: string): Promise<string[]> {
    const rows: Array<{ model: string }> = await this.db.source.query('SELECT DISTINCT model FROM abilities WHERE `group` = ? AND enabled = 1 ORDER BY model', [group]);
    return rows.map((r) => r.model);
  }
}
