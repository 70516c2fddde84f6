import type { RedisClient } from './redis';

/**
 * In-process cache with a per-entry TTL, for the relay's hot path (token by key, user by id).
 * Reads are a Map lookup and one clock comparison; expiry is lazy, and the size is bounded by
 * dropping the oldest insertions (Map keeps insertion order).
 */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  get(key: string, now = Date.now()): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= now) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, now = Date.now()): void {
    if (this.map.size >= this.maxEntries && !this.map.has(key)) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, { value, expires: now + this.ttlMs });
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Deletes every entry whose value matches (e.g. a token invalidated by id rather than key). */
  deleteWhere(predicate: (value: V, key: string) => boolean): void {
    for (const [k, e] of this.map) if (predicate(e.value, k)) this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * How a cached value crosses Redis: only plain JSON data is stored there, so values holding
 * class instances (a Set, a BlockList) store their plain source and are rebuilt on read.
 */
export interface CacheCodec<V> {
  toPlain(value: V): unknown;
  fromPlain(plain: unknown): V;
}

/**
 * Memory first, then Redis (distributed mode: nodes share warm entries), then the loader.
 * Concurrent misses for one key share a single load. Redis trouble degrades to the loader.
 */
export class LayeredCache<V> {
  private readonly memory: TtlCache<V>;
  private readonly inflight = new Map<string, Promise<V | null>>();

  constructor(
    private readonly namespace: string,
    private readonly ttlSeconds: number,
    private readonly redis: RedisClient | null,
    private readonly loader: (key: string) => Promise<V | null>,
    private readonly codec: CacheCodec<V> = { toPlain: (v) => v, fromPlain: (p) => p as V },
  ) {
    this.memory = new TtlCache<V>(ttlSeconds * 1000);
  }

  /** Synchronous memory hit, or undefined (lets hot paths skip a promise allocation). */
  peek(key: string): V | undefined {
    return this.memory.get(key);
  }

  async get(key: string): Promise<V | null> {
    const hit = this.memory.get(key);
    if (hit !== undefined) return hit;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.load(key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async load(key: string): Promise<V | null> {
    const redisKey = `oneapi:${this.namespace}:${key}`;
    if (this.redis) {
      try {
        const raw = await this.redis.get(redisKey);
        if (raw) {
          const value = this.codec.fromPlain(JSON.parse(raw));
          this.memory.set(key, value);
          return value;
        }
      } catch {
        /* Redis unavailable: fall through to the database */
      }
    }
    const value = await this.loader(key);
    if (value !== null) {
      this.memory.set(key, value);
      if (this.redis) void this.redis.set(redisKey, JSON.stringify(this.codec.toPlain(value)), 'EX', this.ttlSeconds).catch(() => undefined);
    }
    return value;
  }

  /** Updates the memory copy in place (e.g. the relay's own quota changes) without a reload. */
  update(key: string, fn: (value: V) => void): void {
    const hit = this.memory.get(key);
    if (hit !== undefined) fn(hit);
  }

  async invalidate(key: string): Promise<void> {
    this.memory.delete(key);
    this.inflight.delete(key);
    if (this.redis) await this.redis.del(`oneapi:${this.namespace}:${key}`).catch(() => undefined);
  }

  invalidateWhere(predicate: (value: V, key: string) => boolean): void {
    this.memory.deleteWhere(predicate);
  }

  clear(): void {
    this.memory.clear();
    this.inflight.clear();
  }
}
