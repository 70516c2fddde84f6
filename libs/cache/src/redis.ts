import Redis from 'ioredis';

export type RedisClient = Redis;

/**
 * One Redis connection per process. Commands fail fast (no offline queue growth) so a Redis
 * outage turns into quick 503s instead of hanging requests (SPEC section 12).
 */
export function createRedis(url: string, options: { name?: string; lazyConnect?: boolean } = {}): Redis {
  return new Redis(url, {
    connectionName: options.name,
    lazyConnect: options.lazyConnect ?? false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 5000,
    commandTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}
