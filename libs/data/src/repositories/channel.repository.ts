import { ChannelStatus } from '@oneapi/domain';
import { ChannelEntity } from '../entities';
import type { Database } from '../database';
import type { ChannelKeyCipher } from '../channel-key-cipher';
import { AbilityRepository } from './ability.repository';
import { likeContains, type PageRequest, type PageResult } from './sql-helpers';

/** Channel columns an admin writes (validated and normalised by the caller). The key is separate. */
export interface ChannelFields {
  type: number;
  name: string;
  status: number;
  weight: number;
  priority: number;
  baseUrl: string;
  other: string;
  /** Comma-separated models. */
  models: string;
  /** Comma-separated groups. */
  group: string;
  /** '' or a JSON object of strings. */
  modelMapping: string;
  /** '' or a JSON object. */
  config: string;
  systemPrompt: string;
  /** Capacity (0 = unlimited): requests at once, requests per minute, tokens per minute. */
  maxConcurrency: number;
  rpm: number;
  tpm: number;
}

/** A partial update; `key` undefined or '' keeps the stored key. */
export type ChannelPatch = Partial<ChannelFields> & { key?: string };

const COLUMNS: Record<keyof ChannelFields, string> = {
  type: 'type',
  name: 'name',
  status: 'status',
  weight: 'weight',
  priority: 'priority',
  baseUrl: 'base_url',
  other: 'other',
  models: 'models',
  group: '`group`',
  modelMapping: 'model_mapping',
  config: 'config',
  systemPrompt: 'system_prompt',
  maxConcurrency: 'max_concurrency',
  rpm: 'rpm',
  tpm: 'tpm',
};

const DISABLED = [ChannelStatus.ManuallyDisabled, ChannelStatus.AutoDisabled];

/**
 * Admin-side access to `channels` (One API's model/channel.go). Keys are encrypted with the
 * cipher on write and returned DECRYPTED on read: callers mask them before answering. Every
 * write rebuilds the channel's abilities in the same transaction.
 */
export class ChannelRepository {
  private readonly abilities: AbilityRepository;

  constructor(
    private readonly db: Database,
    private readonly cipher: ChannelKeyCipher,
  ) {
    this.abilities = new AbilityRepository(db);
  }

  private get repo() {
    return this.db.manager.getRepository(ChannelEntity);
  }

  /** Returns the row with its key decrypted ('' when the configured secret cannot decrypt it). */
  private reveal(channel: ChannelEntity): ChannelEntity {
    try {
      channel.key = this.cipher.decrypt(channel.key);
    } catch {
      channel.key = '';
    }
    return channel;
  }

  /** Inserts one channel per key, with abilities, all in one transaction; returns the new ids in key order. */
  /** One channel per key; `nameOf` names each (by its 0-based index), else all take `fields.name`. */
  async createMany(keys: string[], fields: ChannelFields, now: number, nameOf?: (index: number) => string): Promise<number[]> {
    return this.db.transaction(async (m) => {
      const ids: number[] = [];
      for (const [index, key] of keys.entries()) {
        const saved = await m.getRepository(ChannelEntity).save(
          m.getRepository(ChannelEntity).create({
            ...fields,
            name: nameOf ? nameOf(index) : fields.name,
            key: this.cipher.encrypt(key),
            createdTime: now,
            testTime: 0,
            responseTime: 0,
            balance: 0,
            balanceUpdatedTime: 0,
            usedQuota: 0,
          }),
        );
        await this.abilities.rebuildForChannel(m, saved);
        ids.push(saved.id);
      }
      return ids;
    });
  }

  async list(page: PageRequest): Promise<PageResult<ChannelEntity>> {
    const [items, total] = await this.repo.createQueryBuilder('c').orderBy('c.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return { items: items.map((c) => this.reveal(c)), total };
  }

  /** Channels whose id equals, or name/base URL/models/groups contain, the keyword (and exact key when stored in plaintext). */
  async search(keyword: string, page: PageRequest): Promise<PageResult<ChannelEntity>> {
    const like = likeContains(keyword);
    const qb = this.repo
      .createQueryBuilder('c')
      .where("(c.name LIKE :like ESCAPE '!' OR c.baseUrl LIKE :like ESCAPE '!' OR c.models LIKE :like ESCAPE '!' OR c.group LIKE :like ESCAPE '!')", { like });
    if (/^\d+$/.test(keyword)) qb.orWhere('c.id = :id', { id: Number(keyword) });
    // Encrypted keys use a random IV, so only plaintext storage can be searched by key.
    if (!this.cipher.enabled && keyword.length >= 8) qb.orWhere('c.key = :key', { key: keyword });
    const [items, total] = await qb.orderBy('c.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return { items: items.map((c) => this.reveal(c)), total };
  }

  async findById(id: number): Promise<ChannelEntity | null> {
    const channel = await this.repo.findOneBy({ id });
    return channel ? this.reveal(channel) : null;
  }

  /**
   * Partial update plus abilities rebuild in one transaction. The UPDATE runs first so that on
   * MySQL it holds the row lock while the abilities are rebuilt from the row as committed.
   */
  async update(id: number, patch: ChannelPatch): Promise<ChannelEntity | null> {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [field, column] of Object.entries(COLUMNS) as Array<[keyof ChannelFields, string]>) {
      const value = patch[field];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(value);
    }
    if (patch.key) {
      sets.push('`key` = ?');
      params.push(this.cipher.encrypt(patch.key));
    }
    const updated = await this.db.transaction(async (m) => {
      if (sets.length) await m.query(`UPDATE channels SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
      const channel = await m.getRepository(ChannelEntity).findOneBy({ id });
      if (!channel) return null;
      await this.abilities.rebuildForChannel(m, channel);
      return channel;
    });
    return updated ? this.reveal(updated) : null;
  }

  /** Deletes the channel and its abilities; false when it did not exist. */
  async delete(id: number): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const existing = await m.getRepository(ChannelEntity).findOneBy({ id });
      if (!existing) return false;
      await this.abilities.deleteForChannel(m, id);
      await m.query('DELETE FROM channels WHERE id = ?', [id]);
      return true;
    });
  }

  /** Deletes every manually or automatically disabled channel with its abilities; returns how many. */
  async deleteDisabled(): Promise<number> {
    return this.db.transaction(async (m) => {
      const rows: Array<{ id: number }> = await m.query('SELECT id FROM channels WHERE status IN (?, ?)', DISABLED);
      const ids = rows.map((r) => Number(r.id));
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const marks = chunk.map(() => '?').join(', ');
        await m.query(`DELETE FROM abilities WHERE channel_id IN (${marks})`, chunk);
        await m.query(`DELETE FROM channels WHERE id IN (${marks})`, chunk);
      }
      return ids.length;
    });
  }
}
