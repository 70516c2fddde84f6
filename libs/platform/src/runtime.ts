import type { Logger } from 'pino';
import { loadConfig, unhonouredWarning, type AppConfig, type ResolvedConfig } from '@oneapi/config';
import { createRedis, redisReady, RedisCacheBus, type CacheBus, type RedisClient } from '@oneapi/cache';
import { Database } from '@oneapi/data';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createLogger } from './logger';
import { SqlCacheBus } from './sql-cache-bus';
import { OptionsStore } from './options-store';

/**
 * Everything a service process holds for its whole life: validated config, logger, database,
 * optional Redis and the metrics registry. Built once at boot (or per test) and handed to Nest.
 */
export interface ServiceRuntime {
  service: string;
  config: ResolvedConfig;
  logger: Logger;
  db: Database;
  /** Present in distributed mode (REDIS_CONN_STRING set). */
  redis: RedisClient | null;
  /** Cross-process cache invalidation: Redis pub/sub, or SQL polling without Redis. */
  bus: CacheBus;
  /** The options table in memory, kept fresh across nodes. */
  options: OptionsStore;
  metrics: Registry;
  startedAt: number;
  close(): Promise<void>;
}

export async function createRuntime(service: string, config: AppConfig, opts: { logger?: Logger } = {}): Promise<ServiceRuntime> {
  const logger = opts.logger ?? createLogger(service, config);
  const ignored = unhonouredWarning(config.unhonoured);
  if (ignored) logger.warn({ variables: config.unhonoured.map((v) => v.name) }, ignored);
  const db = await Database.open(config, { log: (m) => logger.info(m) });
  let resolved: ResolvedConfig;
  try {
    resolved = { ...config, sessionSecret: config.sessionSecret ?? (await db.sharedSessionSecret()) };
  } catch (error) {
    await db.close();
    throw error;
  }
  let redis: RedisClient | null = null;
  if (config.redisUrl) {
    redis = createRedis(config.redisUrl, { name: `oneapi-${service}` });
    redis.on('error', (error) => logger.warn({ err: error.message }, 'redis error'));
    await redisReady(redis);
  }
  let bus: CacheBus;
  if (redis) {
    const redisBus = new RedisCacheBus(redis);
    // Subscribe before serving, so a change made right after this node starts is not missed.
    await Promise.race([redisBus.subscribed(), new Promise((r) => setTimeout(r, 5000).unref())]);
    bus = redisBus;
  } else {
    const sqlBus = new SqlCacheBus(db);
    await sqlBus.start();
    bus = sqlBus;
  }
  const options = new OptionsStore(db, bus, config.env.SYNC_FREQUENCY, logger);
  await options.start();
  const metrics = new Registry();
  metrics.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metrics });
  return {
    service,
    config: resolved,
    logger,
    db,
    redis,
    bus,
    options,
    metrics,
    startedAt: Math.floor(Date.now() / 1000),
    async close() {
      options.close();
      await bus.close();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
      await db.close();
    },
  };
}

/**
 * Builds a runtime from explicit variables instead of the process environment (integration
 * tests, tools). Logs are silent unless LOG_LEVEL is given.
 */
export async function createRuntimeFromEnv(service: string, env: Record<string, string>): Promise<ServiceRuntime> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  return createRuntime(service, config);
}
