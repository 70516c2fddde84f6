import { OptionEntity } from '../entities';
import type { Database } from '../database';

/** The `options` key/value table (One API's model/option.go). */
export class OptionRepository {
  constructor(private readonly db: Database) {}

  async getAll(): Promise<Record<string, string>> {
    const rows = await this.db.manager.getRepository(OptionEntity).find();
    return Object.fromEntries(rows.map((r) => [r.key, r.value ?? '']));
  }

  /** Insert or update one option. */
  async set(key: string, value: string): Promise<void> {
    await this.db.manager.getRepository(OptionEntity).upsert({ key, value }, ['key']);
  }

  /** Insert or update several options in one statement: all are saved or none. */
  async setMany(entries: ReadonlyArray<{ key: string; value: string }>): Promise<void> {
    if (!entries.length) return;
    await this.db.manager.getRepository(OptionEntity).upsert(entries.map(({ key, value }) => ({ key, value })), ['key']);
  }
}
