import type { RedisClient } from '@oneapi/cache';

/** One limit a request is counted against: at most `limit` in any window, this request costing `cost`. */
export interface WindowWant {
  key: string;
  limit: number;
  cost: number;
}

/** `refused`: index of the first limit that has no room (-1: every limit was charged), and when it will. */
export interface TakeResult {
  refused: number;
  retryMs: number;
}

/**
 * Sliding-window counters (a log of charges per key, each leaving the window `windowMs` after it
 * was made), so no burst at a window edge passes twice the limit as fixed windows allow. A
 * request is charged on every limit or on none, so a refused request costs nothing; its charge
 * can be corrected later (tokens per minute: the estimate, then the real count).
 */
export interface SlidingWindow {
  take(id: string, wants: readonly WindowWant[]): Promise<TakeResult>;
  /** Sets the charge `id` made on `key` (`oldCost`) to `newCost`; once it has left the window, only an increase counts, from now. */
  adjust(id: string, key: string, oldCost: number, newCost: number): Promise<void>;
}

interface Bucket {
  sum: number;
  /** In charge order, which is time order: the oldest leave first. */
  entries: Map<string, { at: number; cost: number }>;
}

/** In this process: embedded mode, and every relay on its own while Redis is away. */
export class MemorySlidingWindow implements SlidingWindow {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt = 0;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(id: string, wants: readonly WindowWant[]): Promise<TakeResult> {
    return Promise.resolve(this.takeNow(id, wants));
  }

  adjust(id: string, key: string, oldCost: number, newCost: number): Promise<void> {
    const now = this.now();
    const bucket = this.trimmed(key, now);
    const entry = bucket?.entries.get(id);
    if (bucket && entry) {
      bucket.sum += newCost - entry.cost;
      if (newCost > 0) entry.cost = newCost;
      else bucket.entries.delete(id);
    } else if (newCost > oldCost) {
      this.charge(key, `${id}.late`, newCost - oldCost, now);
    }
    return Promise.resolve();
  }

  /** Keys held (tests). */
  get size(): number {
    return this.buckets.size;
  }

  private takeNow(id: string, wants: readonly WindowWant[]): TakeResult {
    const now = this.now();
    if (now - this.sweptAt >= this.windowMs) this.sweep(now);
    for (let i = 0; i < wants.length; i++) {
      const w = wants[i];
      const bucket = this.trimmed(w.key, now);
      const sum = bucket?.sum ?? 0;
      if (sum + w.cost > w.limit) return { refused: i, retryMs: bucket ? this.retryMs(bucket, sum + w.cost - w.limit, now) : this.windowMs };
    }
    for (const w of wants) this.charge(w.key, id, w.cost, now);
    return { refused: -1, retryMs: 0 };
  }

  private charge(key: string, id: string, cost: number, now: number): void {
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { sum: 0, entries: new Map() }));
    const entry = bucket.entries.get(id);
    if (entry) entry.cost += cost;
    else bucket.entries.set(id, { at: now, cost });
    bucket.sum += cost;
  }

  /** The key's bucket with the charges that left the window dropped (undefined when empty). */
  private trimmed(key: string, now: number): Bucket | undefined {
    const bucket = this.buckets.get(key);
    if (!bucket) return undefined;
    const cutoff = now - this.windowMs;
    for (const [id, e] of bucket.entries) {
      if (e.at > cutoff) break;
      bucket.sum -= e.cost;
      bucket.entries.delete(id);
    }
    if (bucket.entries.size === 0) {
      this.buckets.delete(key);
      return undefined;
    }
    return bucket;
  }

  /** Until the oldest charges worth `need` have left the window. */
  private retryMs(bucket: Bucket, need: number, now: number): number {
    for (const e of bucket.entries.values()) {
      need -= e.cost;
      if (need <= 0) return e.at + this.windowMs - now;
    }
    return this.windowMs;
  }

  /** Drops idle keys (tokens that stopped calling), once per window. */
  private sweep(now: number): void {
    this.sweptAt = now;
    for (const key of [...this.buckets.keys()]) this.trimmed(key, now);
  }
}

// Per key: a sorted set of charges (member `<id>:<cost>`, score = time in ms from Redis's clock,
// shared by every replica) and `<key>:sum`, their total. Entries at or before now - window are
// dropped before counting; both keys expire a window after their last write.
const LIB = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local cutoff = now - window
local function costOf(member)
  return tonumber(string.match(member, ':(%d+)$'))
end
local function trim(zk, sk)
  if redis.call('ZCARD', zk) == 0 then
    redis.call('DEL', sk)
    return 0
  end
  local sum = tonumber(redis.call('GET', sk) or '0')
  local old = redis.call('ZRANGEBYSCORE', zk, '-inf', cutoff)
  if #old > 0 then
    for _, m in ipairs(old) do sum = sum - costOf(m) end
    redis.call('ZREMRANGEBYSCORE', zk, '-inf', cutoff)
    if sum < 0 then sum = 0 end
    redis.call('SET', sk, sum, 'PX', window)
  end
  return sum
end
local function touch(zk, sk)
  redis.call('PEXPIRE', zk, window)
  redis.call('PEXPIRE', sk, window)
end
`;

// KEYS: zset, sum per limit. ARGV: window, id, then limit and cost per limit.
const TAKE = `${LIB}
local id = ARGV[2]
local n = #KEYS / 2
for i = 1, n do
  local zk, sk = KEYS[2 * i - 1], KEYS[2 * i]
  local limit, cost = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  local sum = trim(zk, sk)
  if sum + cost > limit then
    local need = sum + cost - limit
    local start = 0
    while true do
      local page = redis.call('ZRANGE', zk, start, start + 99, 'WITHSCORES')
      if #page == 0 then break end
      for j = 1, #page, 2 do
        need = need - costOf(page[j])
        if need <= 0 then return {i - 1, tonumber(page[j + 1]) + window - now} end
      end
      start = start + 100
    end
    return {i - 1, window}
  end
end
for i = 1, n do
  local zk, sk = KEYS[2 * i - 1], KEYS[2 * i]
  local cost = ARGV[2 + 2 * i]
  redis.call('ZADD', zk, now, id .. ':' .. cost)
  redis.call('INCRBY', sk, cost)
  touch(zk, sk)
end
return {-1, 0}`;

// KEYS: zset, sum. ARGV: window, id, old cost, new cost.
const ADJUST = `${LIB}
local id = ARGV[2]
local oldCost, newCost = tonumber(ARGV[3]), tonumber(ARGV[4])
local zk, sk = KEYS[1], KEYS[2]
local at = redis.call('ZSCORE', zk, id .. ':' .. oldCost)
if at and tonumber(at) > cutoff then
  redis.call('ZREM', zk, id .. ':' .. oldCost)
  if newCost > 0 then redis.call('ZADD', zk, at, id .. ':' .. newCost) end
  redis.call('INCRBY', sk, newCost - oldCost)
elseif newCost > oldCost then
  trim(zk, sk)
  redis.call('ZADD', zk, now, id .. '.late:' .. (newCost - oldCost))
  redis.call('INCRBY', sk, newCost - oldCost)
else
  return 0
end
touch(zk, sk)
return 1`;

type WindowCommands = RedisClient & {
  slidingTake(...args: Array<string | number>): Promise<[number, number]>;
  slidingAdjust(...args: Array<string | number>): Promise<number>;
};

/** Across replicas: one atomic script per check or correction (EVALSHA, one round trip). */
export class RedisSlidingWindow implements SlidingWindow {
  private readonly redis: WindowCommands;

  constructor(
    redis: RedisClient,
    private readonly windowMs: number,
  ) {
    const r = redis as WindowCommands;
    if (typeof r.slidingTake !== 'function') {
      r.defineCommand('slidingTake', { lua: TAKE });
      r.defineCommand('slidingAdjust', { lua: ADJUST });
    }
    this.redis = r;
  }

  async take(id: string, wants: readonly WindowWant[]): Promise<TakeResult> {
    const args: Array<string | number> = [wants.length * 2];
    for (const w of wants) args.push(w.key, `${w.key}:sum`);
    args.push(this.windowMs, id);
    for (const w of wants) args.push(w.limit, w.cost);
    const [refused, retryMs] = await this.redis.slidingTake(...args);
    return { refused: Number(refused), retryMs: Number(retryMs) };
  }

  async adjust(id: string, key: string, oldCost: number, newCost: number): Promise<void> {
    await this.redis.slidingAdjust(2, key, `${key}:sum`, this.windowMs, id, oldCost, newCost);
  }
}
