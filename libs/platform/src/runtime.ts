import type { Logger } from 'pino';
import type { AppConfig } from '@oneapi/config';
import { createRedis, type RedisClient } from '@oneapi/cache';
import { Database } from '@oneapi/data';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createLogger } from './logger';

/**
 * Everything a service process holds for its whole life: validated config, logger, database,
 * optional Redis and the metrics registry. Built once at boot (or per test) and handed to Nest.
 */
export interface ServiceRuntime {
  service: string;
  config: AppConfig;
  logger: Logger;
  db: Database;
  /** Present in distributed mode (REDIS_CONN_STRING set). */
  redis: RedisClient | null;
  metrics: Registry;
  startedAt: number;
  close(): Promise<void>;
}

export async function createRuntime(service: string, config: AppConfig, options: { logger?: Logger } = {}): Promise<ServiceRuntime> {
  const logger = options.logger ?? createLogger(service, config);
  const db = await Database.open(config, { log: (m) => logger.info(m) });
  let redis: RedisClient | null = null;
  if (config.redisUrl) {
    redis = createRedis(config.redisUrl, { name: `oneapi-${service}` });
    redis.on('error', (error) => logger.warn({ err: error.message }, 'redis error'));
  }
  const metrics = new Registry();
  metrics.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metrics });
  return {
    service,
    config,
    logger,
    db,
    redis,
    metrics,
    startedAt: Math.floor(Date.now() / 1000),
    async close() {
      if (redis) await redis.quit().catch(() => redis?.disconnect());
      await db.close();
    },
  };
}
