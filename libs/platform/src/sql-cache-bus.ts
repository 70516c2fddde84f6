import { LocalCacheBus, type CacheBus, type CacheEvent, type CacheTopic } from '@oneapi/cache';
import { CacheEventRepository, type Database } from '@oneapi/data';

/**
 * Cache invalidation across processes that share a database but have no Redis (embedded mode:
 * relay and admin are separate processes on one SQLite file). Publishers append a row; every
 * process polls for new rows once per interval, so a change reaches every cache within ~1 s.
 */
export class SqlCacheBus implements CacheBus {
  private readonly local = new LocalCacheBus();
  private readonly repo: CacheEventRepository;
  private lastId = 0;
  private timer: NodeJS.Timeout | undefined;
  private polls = 0;

  constructor(db: Database, private readonly intervalMs = 1000) {
    this.repo = new CacheEventRepository(db);
  }

  async start(): Promise<void> {
    this.lastId = await this.repo.lastId();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    try {
      const events = await this.repo.since(this.lastId);
      for (const e of events) {
        this.lastId = e.id;
        await this.local.publish({ topic: e.topic as CacheTopic, id: e.ref || undefined });
      }
      if (++this.polls % 600 === 0) await this.repo.prune(600);
    } catch {
      /* database busy or closing: try again next tick */
    }
  }

  async publish(event: CacheEvent): Promise<void> {
    await this.repo.append(event.topic, event.id ?? '');
  }

  subscribe(handler: (event: CacheEvent) => void): () => void {
    return this.local.subscribe(handler);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.local.close();
  }
}
