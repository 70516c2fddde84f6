import type { Logger } from 'pino';
import type { CacheBus } from '@oneapi/cache';
import { OptionRepository, type Database } from '@oneapi/data';

/**
 * The options table held in memory (relay, admin and worker read options on every request, so
 * never from the database). Reloaded when any node publishes an `options` cache event and at
 * least every SYNC_FREQUENCY seconds. Values are One API's strings; typed views are computed by
 * `@oneapi/domain`'s option registry from `raw()`.
 */
export class OptionsStore {
  private values: Record<string, string> = {};
  private version = 0;
  /** Saves made by this node; a reload that overlapped one reads again. */
  private writes = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly repo: OptionRepository;
  private readonly listeners = new Set<(values: Record<string, string>) => void>();

  constructor(
    db: Database,
    private readonly bus: CacheBus,
    private readonly syncSeconds: number,
    private readonly logger?: Logger,
  ) {
    this.repo = new OptionRepository(db);
  }

  async start(): Promise<void> {
    await this.reload();
    this.unsubscribe = this.bus.subscribe((e) => {
      if (e.topic === 'options') void this.reload();
    });
    this.timer = setInterval(() => void this.reload(), this.syncSeconds * 1000);
    this.timer.unref();
  }

  async reload(): Promise<void> {
    try {
      const writes = this.writes;
      const values = await this.repo.getAll();
      // A set() on this node finished while we read: what we read may predate it. Read again.
      if (this.writes !== writes) return this.reload();
      this.values = values;
      this.version++;
      for (const l of this.listeners) l(this.values);
    } catch {
      /* keep the last good values while the database is unavailable */
    }
  }

  /** Stored values (keys absent from the table are absent here; apply defaults via the registry). */
  raw(): Readonly<Record<string, string>> {
    return this.values;
  }

  /** Increments on each reload: lets callers memoise derived views cheaply. */
  get revision(): number {
    return this.version;
  }

  onChange(listener: (values: Record<string, string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Saves one option and tells every node. */
  set(key: string, value: string): Promise<void> {
    return this.setMany({ [key]: value });
  }

  /** Saves several options at once (all or none) and tells every node. */
  async setMany(entries: Readonly<Record<string, string>>): Promise<void> {
    const rows = Object.entries(entries).map(([key, value]) => ({ key, value }));
    if (!rows.length) return;
    await this.repo.setMany(rows);
    this.writes++;
    this.values = { ...this.values, ...entries };
    this.version++;
    for (const l of this.listeners) l(this.values);
    // Saved already: a failed publish (Redis away) only delays other nodes to their next reload
    // (at most SYNC_FREQUENCY seconds), so the caller is not told the save failed.
    await this.bus.publish({ topic: 'options' }).catch((error: Error) => this.logger?.warn({ err: error.message, keys: rows.map((r) => r.key) }, 'options saved; other nodes pick them up at their next reload'));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }
}
