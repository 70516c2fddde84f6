import type { Database } from '../database';

export interface StoredCacheEvent {
  id: number;
  topic: string;
  ref: string;
}

/** Storage for the SQL-polling cache bus (see libs/platform's SqlCacheBus). */
export class CacheEventRepository {
  constructor(private readonly db: Database) {}

  async append(topic: string, ref: string): Promise<void> {
    await this.db.source.query('INSERT INTO cache_events (topic, ref, created_at) VALUES (?, ?, ?)', [topic, ref, Math.floor(Date.now() / 1000)]);
  }

  async lastId(): Promise<number> {
    const rows: Array<{ id: number | null }> = await this.db.source.query('SELECT MAX(id) AS id FROM cache_events');
    return Number(rows[0]?.id ?? 0);
  }

  async since(id: number, limit = 500): Promise<StoredCacheEvent[]> {
    const rows: Array<{ id: number; topic: string; ref: string }> = await this.db.source.query(
      'SELECT id, topic, ref FROM cache_events WHERE id > ? ORDER BY id LIMIT ?',
      [id, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), topic: r.topic, ref: r.ref }));
  }

  /** Drops events older than maxAgeSeconds (every poller has long read them). */
  async prune(maxAgeSeconds: number): Promise<void> {
    await this.db.source.query('DELETE FROM cache_events WHERE created_at < ?', [Math.floor(Date.now() / 1000) - maxAgeSeconds]);
  }
}
