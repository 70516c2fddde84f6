import type { RedisClient } from './redis';

/** One counted slot a request wants: `key` may hold at most `limit` leases at once. */
export interface LeaseWant {
  key: string;
  limit: number;
}

/**
 * Concurrency slots (in-flight requests per user, token, channel...). A request acquires all its
 * slots at once or none; each lease expires after `ttlMs` unless renewed, so slots held by a
 * process that died free themselves.
 */
export interface LeaseStore {
  /** Takes every slot, or none: returns the index of the first full one, or -1 when all were taken. */
  acquire(id: string, wants: readonly LeaseWant[]): Promise<number>;
  release(id: string, keys: readonly string[]): Promise<void>;
  /** Pushes the expiry of leases still in use (long streams). */
  renew(id: string, keys: readonly string[]): Promise<void>;
}

/** In this process only (embedded mode, and the fallback while Redis is away). */
export class MemoryLeaseStore implements LeaseStore {
  private readonly held = new Map<string, Set<string>>();

  acquire(id: string, wants: readonly LeaseWant[]): Promise<number> {
    for (let i = 0; i < wants.length; i++) {
      if ((this.held.get(wants[i].key)?.size ?? 0) >= wants[i].limit) return Promise.resolve(i);
    }
    for (const w of wants) {
      let set = this.held.get(w.key);
      if (!set) this.held.set(w.key, (set = new Set()));
      set.add(id);
    }
    return Promise.resolve(-1);
  }

  release(id: string, keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const set = this.held.get(key);
      if (!set) continue;
      set.delete(id);
      if (set.size === 0) this.held.delete(key);
    }
    return Promise.resolve();
  }

  renew(): Promise<void> {
    return Promise.resolve();
  }

  /** Leases held on a key (tests, metrics). */
  count(key: string): number {
    return this.held.get(key)?.size ?? 0;
  }
}

// Sorted set per key: member = request id, score = expiry (ms). Expired members are dropped
// before counting, so a relay that died frees its slots after the TTL.
const ACQUIRE = `
local now = tonumber(ARGV[2])
local expires = now + tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then return i - 1 end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, expires, ARGV[1])
  redis.call('PEXPIRE', key, ARGV[3])
end
return -1`;

const RELEASE = `
for _, key in ipairs(KEYS) do redis.call('ZREM', key, ARGV[1]) end
return 0`;

const RENEW = `
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', ARGV[2], ARGV[1])
  redis.call('PEXPIRE', key, ARGV[3])
end
return 0`;

type LeaseCommands = RedisClient & {
  leaseAcquire(...args: Array<string | number>): Promise<number>;
  leaseRelease(...args: Array<string | number>): Promise<number>;
  leaseRenew(...args: Array<string | number>): Promise<number>;
};

/** Across replicas: one atomic script per acquire, release or renew (EVALSHA, one round trip). */
export class RedisLeaseStore implements LeaseStore {
  private readonly redis: LeaseCommands;

  constructor(
    redis: RedisClient,
    private readonly ttlMs: number,
    private readonly prefix = 'oneapi:lease',
  ) {
    const r = redis as LeaseCommands;
    if (typeof r.leaseAcquire !== 'function') {
      r.defineCommand('leaseAcquire', { lua: ACQUIRE });
      r.defineCommand('leaseRelease', { lua: RELEASE });
      r.defineCommand('leaseRenew', { lua: RENEW });
    }
    this.redis = r;
  }

  acquire(id: string, wants: readonly LeaseWant[]): Promise<number> {
    const keys = wants.map((w) => `${this.prefix}:${w.key}`);
    return this.redis.leaseAcquire(keys.length, ...keys, id, Date.now(), this.ttlMs, ...wants.map((w) => w.limit)).then(Number);
  }

  async release(id: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.leaseRelease(keys.length, ...keys.map((k) => `${this.prefix}:${k}`), id);
  }

  async renew(id: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.leaseRenew(keys.length, ...keys.map((k) => `${this.prefix}:${k}`), id, Date.now() + this.ttlMs, this.ttlMs);
  }
}

/**
 * Redis while it answers, this process's own counts while it does not (a documented fallback:
 * during a Redis outage each relay enforces the caps alone, so the fleet may admit up to
 * replicas × cap). A lease is released where it was taken.
 */
export class FallbackLeaseStore implements LeaseStore {
  private readonly local = new MemoryLeaseStore();
  private readonly where = new Map<string, LeaseStore>();

  constructor(
    private readonly remote: LeaseStore | null,
    private readonly onFallback: (error: unknown) => void = () => undefined,
  ) {}

  async acquire(id: string, wants: readonly LeaseWant[]): Promise<number> {
    if (this.remote) {
      try {
        const full = await this.remote.acquire(id, wants);
        if (full === -1) this.where.set(id, this.remote);
        return full;
      } catch (error) {
        this.onFallback(error);
        // A timed-out acquire may still land in Redis after we gave up: release it there (same
        // connection, so after it), or it would hold a slot on every relay until its TTL.
        const remote = this.remote;
        void remote.release(id, wants.map((w) => w.key)).catch(() => undefined);
      }
    }
    const full = await this.local.acquire(id, wants);
    if (full === -1) this.where.set(id, this.local);
    return full;
  }

  async release(id: string, keys: readonly string[]): Promise<void> {
    const store = this.where.get(id);
    this.where.delete(id);
    if (store) await store.release(id, keys).catch(this.onFallback);
  }

  async renew(id: string, keys: readonly string[]): Promise<void> {
    const store = this.where.get(id);
    if (store) await store.renew(id, keys).catch(this.onFallback);
  }
}
