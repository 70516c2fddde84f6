import type { RedisClient } from '@oneapi/cache';
import type { RedisGate } from '@oneapi/platform';
import { gcra, WINDOW_MS, type WindowAdjust, type WindowWant } from './rate-windows';

/**
 * One counted slot a request wants: `key` may hold at most `limit` leases at once, in Redis across
 * replicas with leases that expire unless renewed, or in the process.
 */
export interface LeaseWant {
  key: string;
  limit: number;
}

/** How long a concurrency slot outlives a relay that died holding it (renewed while in use). */
export const LEASE_TTL_MS = 60_000;

/** What a take found: the index of the first full lease (-1 none) and the ms until the budgets fit (0 = they fit). */
export interface TakeResult {
  full: number;
  waitMs: number;
}

/**
 * Every counted limit of a request in one store: concurrency leases (caller and channel) and
 * per-minute GCRA budgets. A take is all-or-nothing and a give returns leases and corrects
 * budgets together, so a request with every cap on costs one round trip to take and one to give.
 *
 * Order of a take: `leases[0..channelLeases)` and the budgets are the channel's, checked first (a
 * full channel is reported with its wait even when the caller is full too: the next channel may
 * have room); the rest are the caller's.
 */
export interface CapacityStore {
  take(id: string, leases: readonly LeaseWant[], channelLeases: number, budgets: readonly WindowWant[], now: number): Promise<TakeResult>;
  give(id: string, leases: readonly string[], budgets: readonly WindowAdjust[], now: number): Promise<void>;
  /** Pushes the expiry of leases still in use (long streams). */
  renew(id: string, keys: readonly string[]): Promise<void>;
}

const TAKEN: TakeResult = { full: -1, waitMs: 0 };

/** In this process only (embedded mode, and the fallback while Redis is away). */
export class MemoryCapacityStore implements CapacityStore {
  private readonly held = new Map<string, Set<string>>();
  private readonly tats = new Map<string, number>();
  private sweptAt = 0;

  take(id: string, leases: readonly LeaseWant[], channelLeases: number, budgets: readonly WindowWant[], now: number): Promise<TakeResult> {
    return Promise.resolve(this.takeNow(id, leases, channelLeases, budgets, now));
  }

  give(id: string, leases: readonly string[], budgets: readonly WindowAdjust[], now: number): Promise<void> {
    this.giveNow(id, leases, budgets, now);
    return Promise.resolve();
  }

  renew(): Promise<void> {
    return Promise.resolve();
  }

  /** Leases held on a key (tests, metrics). */
  count(key: string): number {
    return this.held.get(key)?.size ?? 0;
  }

  takeNow(id: string, leases: readonly LeaseWant[], channelLeases: number, budgets: readonly WindowWant[], now: number): TakeResult {
    let full = -1;
    for (let i = 0; i < channelLeases && full === -1; i++) if (this.isFull(leases[i])) full = i;
    let wait = 0;
    const next: number[] = [];
    if (budgets.length) {
      this.sweep(now);
      for (const w of budgets) {
        const tat = gcra(this.tats.get(w.key), now, w.limit, w.cost);
        if (tat - now > WINDOW_MS) wait = Math.max(wait, tat - now - WINDOW_MS);
        next.push(tat);
      }
    }
    if (full !== -1 || wait > 0) return { full, waitMs: Math.ceil(wait) };
    for (let i = channelLeases; i < leases.length; i++) if (this.isFull(leases[i])) return { full: i, waitMs: 0 };
    for (const w of leases) {
      let set = this.held.get(w.key);
      if (!set) this.held.set(w.key, (set = new Set()));
      set.add(id);
    }
    budgets.forEach((w, i) => this.tats.set(w.key, next[i]));
    return TAKEN;
  }

  giveNow(id: string, leases: readonly string[], budgets: readonly WindowAdjust[], now: number): void {
    for (const key of leases) {
      const set = this.held.get(key);
      if (!set) continue;
      set.delete(id);
      if (set.size === 0) this.held.delete(key);
    }
    for (const c of budgets) {
      const tat = gcra(this.tats.get(c.key), now, c.limit, c.delta);
      if (tat <= now) this.tats.delete(c.key);
      else this.tats.set(c.key, tat);
    }
  }

  private isFull(w: LeaseWant): boolean {
    return (this.held.get(w.key)?.size ?? 0) >= w.limit;
  }

  /** Drops budgets that are whole again, once a minute, so idle channels cost no memory. */
  private sweep(now: number): void {
    if (now - this.sweptAt < WINDOW_MS) return;
    this.sweptAt = now;
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
  }
}

// KEYS: leases (sorted set per key: member = request id, score = expiry), then budgets (GCRA:
// the time at which the budget is whole again). ARGV: id, now, lease ttl, window, lease count,
// channel lease count, the limit of each lease, then limit and cost of each budget. Expired
// leases (a relay that died) are dropped only when a key looks full, so the common take is
// ZCARD + ZADD + PEXPIRE per lease and GET + SET per budget. Returns {first full lease, wait ms}.
const TAKE = `
local id = ARGV[1]
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
local channel = tonumber(ARGV[6])
local function full(i)
  local limit = tonumber(ARGV[6 + i])
  if redis.call('ZCARD', KEYS[i]) < limit then return false end
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  return redis.call('ZCARD', KEYS[i]) >= limit
end
local first = -1
for i = 1, channel do
  if full(i) then first = i - 1 break end
end
local wait = 0
local tats = {}
local a = 6 + n
for i = n + 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  tat = tat + tonumber(ARGV[a + 2]) * window / tonumber(ARGV[a + 1])
  a = a + 2
  if tat - now - window > wait then wait = tat - now - window end
  tats[i] = tat
end
if first ~= -1 or wait > 0 then return {first, math.ceil(wait)} end
for i = channel + 1, n do
  if full(i) then return {i - 1, 0} end
end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now + ttl, id)
  redis.call('PEXPIRE', KEYS[i], ttl)
end
-- A charge too small to move a millisecond timestamp still lives a millisecond (PX must be > 0).
for i = n + 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', math.max(1, math.ceil(tats[i] - now)))
end
return {-1, 0}`;

// KEYS: leases to free, then budgets to correct. ARGV: id, now, window, lease count, then limit
// and signed delta of each budget. Never refuses.
const GIVE = `
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
for i = 1, n do redis.call('ZREM', KEYS[i], ARGV[1]) end
local a = 4
for i = n + 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  tat = tat + tonumber(ARGV[a + 2]) * window / tonumber(ARGV[a + 1])
  a = a + 2
  if tat <= now then redis.call('DEL', KEYS[i])
  else redis.call('SET', KEYS[i], string.format('%.3f', tat), 'PX', math.ceil(tat - now)) end
end
return 0`;

const RENEW = `
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', ARGV[2], ARGV[1])
  redis.call('PEXPIRE', key, ARGV[3])
end
return 0`;

type CapacityCommands = RedisClient & {
  capacityTake(...args: Array<string | number>): Promise<[number, number]>;
  capacityGive(...args: Array<string | number>): Promise<number>;
  capacityRenew(...args: Array<string | number>): Promise<number>;
};

/** Across replicas: one atomic script per take, give or renew (EVALSHA, one round trip). */
export class RedisCapacityStore implements CapacityStore {
  private readonly redis: CapacityCommands;

  constructor(
    redis: RedisClient,
    private readonly ttlMs: number,
    private readonly leasePrefix = 'oneapi:lease',
    private readonly windowPrefix = 'oneapi:window',
  ) {
    const r = redis as CapacityCommands;
    if (typeof r.capacityTake !== 'function') {
      r.defineCommand('capacityTake', { lua: TAKE });
      r.defineCommand('capacityGive', { lua: GIVE });
      r.defineCommand('capacityRenew', { lua: RENEW });
    }
    this.redis = r;
  }

  async take(id: string, leases: readonly LeaseWant[], channelLeases: number, budgets: readonly WindowWant[], now: number): Promise<TakeResult> {
    const args: Array<string | number> = [leases.length + budgets.length];
    for (const w of leases) args.push(`${this.leasePrefix}:${w.key}`);
    for (const w of budgets) args.push(`${this.windowPrefix}:${w.key}`);
    args.push(id, now, this.ttlMs, WINDOW_MS, leases.length, channelLeases);
    for (const w of leases) args.push(w.limit);
    for (const w of budgets) args.push(w.limit, w.cost);
    const [full, waitMs] = await this.redis.capacityTake(...args);
    return full === -1 && waitMs === 0 ? TAKEN : { full: Number(full), waitMs: Number(waitMs) };
  }

  async give(id: string, leases: readonly string[], budgets: readonly WindowAdjust[], now: number): Promise<void> {
    if (leases.length + budgets.length === 0) return;
    const args: Array<string | number> = [leases.length + budgets.length];
    for (const k of leases) args.push(`${this.leasePrefix}:${k}`);
    for (const c of budgets) args.push(`${this.windowPrefix}:${c.key}`);
    args.push(id, now, WINDOW_MS, leases.length);
    for (const c of budgets) args.push(c.limit, c.delta);
    await this.redis.capacityGive(...args);
  }

  async renew(id: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.redis.capacityRenew(keys.length, ...keys.map((k) => `${this.leasePrefix}:${k}`), id, Date.now() + this.ttlMs, this.ttlMs);
  }
}

/**
 * Redis while it answers, this process's own counts while it does not (the documented fallback:
 * during an outage each relay enforces the caps and rates alone, so the fleet may admit up to
 * replicas × cap). Takes go through the shared RedisGate (a hanging Redis costs the first
 * request its budget, not every request); what was taken is given back to the store that took
 * it, which `take` hands back.
 */
export class FallbackCapacityStore {
  readonly local = new MemoryCapacityStore();

  constructor(
    private readonly remote: CapacityStore | null,
    private readonly gate: RedisGate | undefined,
    private readonly onFallback: (error: unknown) => void = () => undefined,
  ) {}

  async take(id: string, leases: readonly LeaseWant[], channelLeases: number, budgets: readonly WindowWant[], now: number): Promise<TakeResult & { store: CapacityStore }> {
    const remote = this.remote;
    if (remote) {
      try {
        const r = await (this.gate ? this.gate.run(() => remote.take(id, leases, channelLeases, budgets, now)) : remote.take(id, leases, channelLeases, budgets, now));
        return { full: r.full, waitMs: r.waitMs, store: remote };
      } catch (error) {
        this.onFallback(error);
        // A timed-out take may still land in Redis after we gave up: free its leases there (same
        // connection, so after it), or they would hold slots on every relay until their TTL.
        if (leases.length) void remote.give(id, leases.map((w) => w.key), [], now).catch(() => undefined);
      }
    }
    const r = this.local.takeNow(id, leases, channelLeases, budgets, now);
    return { full: r.full, waitMs: r.waitMs, store: this.local };
  }

  /** Off the response path: a give may take its time, and must reach the store that took. */
  give(store: CapacityStore, id: string, leases: readonly string[], budgets: readonly WindowAdjust[], now: number): void {
    if (leases.length + budgets.length === 0) return;
    if (store === this.local) this.local.giveNow(id, leases, budgets, now);
    else void store.give(id, leases, budgets, now).catch(this.onFallback);
  }

  renew(store: CapacityStore, id: string, keys: readonly string[]): void {
    void store.renew(id, keys).catch(this.onFallback);
  }
}
