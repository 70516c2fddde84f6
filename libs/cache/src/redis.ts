import Redis from 'ioredis';

export type RedisClient = Redis;

/** The request path's budget for one Redis command: beyond it, the caller falls back. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * The request path's Redis connection (one per process; BullMQ has its own). Commands fail fast:
 * no offline queue while disconnected, no retries, and at most REDIS_COMMAND_TIMEOUT_MS each, so
 * a Redis that is down or hangs costs a request half a second at worst and every caller falls
 * back (memory caches and the database, per-process limits) instead of waiting (SPEC 12).
 */
export function createRedis(url: string, options: { name?: string; lazyConnect?: boolean } = {}): Redis {
  return new Redis(url, {
    connectionName: options.name,
    lazyConnect: options.lazyConnect ?? false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/** Resolves when the connection is ready, or after `ms` (a Redis down at boot is not fatal). */
export function redisReady(redis: Redis, ms = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    function done() {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    }
    redis.once('ready', done);
  });
}
