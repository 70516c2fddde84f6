import type { RedisClient } from '@oneapi/cache';

/** Rates are per minute. */
export const WINDOW_MS = 60_000;

/** Units one request wants from a per-minute budget (`limit` units per WINDOW_MS). */
export interface WindowWant {
  key: string;
  limit: number;
  cost: number;
}

/** A change to units charged earlier: positive charges more, negative gives back. */
export interface WindowAdjust {
  key: string;
  limit: number;
  delta: number;
}

/**
 * Per-minute budgets counted with GCRA (the generic cell rate algorithm): each key keeps one
 * number, the time at which its budget would be whole again, so there is no window edge where
 * twice the limit passes. A budget holds at most `limit` units and refills continuously at
 * `limit` per minute; a want of `cost` units passes when that fits.
 */
export interface RateWindows {
  /** Charges every want, or none: 0 when charged, else ms until all of them would fit. */
  take(wants: readonly WindowWant[], now: number): Promise<number>;
  adjust(changes: readonly WindowAdjust[], now: number): Promise<void>;
}

/** The budget's "whole again" time after charging `units` (negative units give back). */
function gcra(tat: number | undefined, now: number, limit: number, units: number): number {
  return Math.max(tat ?? now, now) + (units * WINDOW_MS) / limit;
}

/** In this process only (embedded mode, and the fallback while Redis is away). */
export class MemoryRateWindows implements RateWindows {
  private readonly tats = new Map<string, number>();
  private sweptAt = 0;

  take(wants: readonly WindowWant[], now: number): Promise<number> {
    this.sweep(now);
    let wait = 0;
    const next: number[] = [];
    for (const w of wants) {
      const tat = gcra(this.tats.get(w.key), now, w.limit, w.cost);
      if (tat - now > WINDOW_MS) wait = Math.max(wait, tat - now - WINDOW_MS);
      next.push(tat);
    }
    if (wait > 0) return Promise.resolve(Math.ceil(wait));
    wants.forEach((w, i) => this.tats.set(w.key, next[i]));
    return Promise.resolve(0);
  }

  adjust(changes: readonly WindowAdjust[], now: number): Promise<void> {
    for (const c of changes) {
      const tat = gcra(this.tats.get(c.key), now, c.limit, c.delta);
      if (tat <= now) this.tats.delete(c.key);
      else this.tats.set(c.key, tat);
    }
    return Promise.resolve();
  }

  /** Drops budgets that are whole again, once a minute, so idle channels cost no memory. */
  private sweep(now: number): void {
    if (now - this.sweptAt < WINDOW_MS) return;
    this.sweptAt = now;
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
  }
}

// KEYS: budgets; ARGV[1] = now (ms), ARGV[2] = window (ms), then limit and cost per key. Every
// budget is checked before any is charged, so a refused request changes nothing. The key lives
// until its budget is whole again.
const TAKE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  tat = tat + tonumber(ARGV[2 + 2 * i]) * window / tonumber(ARGV[1 + 2 * i])
  if tat - now > window and tat - now - window > wait then wait = tat - now - window end
  tats[i] = tat
end
if wait > 0 then return math.ceil(wait) end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, string.format('%.3f', tats[i]), 'PX', math.ceil(tats[i] - now))
end
return 0`;

// Same arguments as TAKE with a signed delta instead of the cost; never refuses.
const ADJUST = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then tat = now end
  tat = tat + tonumber(ARGV[2 + 2 * i]) * window / tonumber(ARGV[1 + 2 * i])
  if tat <= now then redis.call('DEL', key)
  else redis.call('SET', key, string.format('%.3f', tat), 'PX', math.ceil(tat - now)) end
end
return 0`;

type WindowCommands = RedisClient & {
  windowTake(...args: Array<string | number>): Promise<number>;
  windowAdjust(...args: Array<string | number>): Promise<number>;
};

/** Across replicas: one atomic script per take or adjust (EVALSHA, one round trip). */
export class RedisRateWindows implements RateWindows {
  private readonly redis: WindowCommands;

  constructor(
    redis: RedisClient,
    private readonly prefix = 'oneapi:window',
  ) {
    const r = redis as WindowCommands;
    if (typeof r.windowTake !== 'function') {
      r.defineCommand('windowTake', { lua: TAKE });
      r.defineCommand('windowAdjust', { lua: ADJUST });
    }
    this.redis = r;
  }

  take(wants: readonly WindowWant[], now: number): Promise<number> {
    const args: Array<string | number> = [wants.length];
    for (const w of wants) args.push(`${this.prefix}:${w.key}`);
    args.push(now, WINDOW_MS);
    for (const w of wants) args.push(w.limit, w.cost);
    return this.redis.windowTake(...args).then(Number);
  }

  async adjust(changes: readonly WindowAdjust[], now: number): Promise<void> {
    if (changes.length === 0) return;
    const args: Array<string | number> = [changes.length];
    for (const c of changes) args.push(`${this.prefix}:${c.key}`);
    args.push(now, WINDOW_MS);
    for (const c of changes) args.push(c.limit, c.delta);
    await this.redis.windowAdjust(...args);
  }
}

/**
 * Redis while it answers, this process's own budgets while it does not (like the lease store's
 * fallback: during an outage each relay enforces the rates alone). A charge is adjusted in the
 * store that took it, which `take` hands back.
 */
export class FallbackRateWindows {
  readonly local = new MemoryRateWindows();

  constructor(
    private readonly remote: RateWindows | null,
    private readonly onFallback: (error: unknown) => void = () => undefined,
  ) {}

  async take(wants: readonly WindowWant[], now: number): Promise<{ waitMs: number; store: RateWindows }> {
    if (this.remote) {
      try {
        return { waitMs: await this.remote.take(wants, now), store: this.remote };
      } catch (error) {
        this.onFallback(error);
      }
    }
    return { waitMs: await this.local.take(wants, now), store: this.local };
  }

  adjust(store: RateWindows, changes: readonly WindowAdjust[], now: number): Promise<void> {
    return store.adjust(changes, now).catch(this.onFallback);
  }
}
