import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Database } from '@oneapi/data';
import type { ServiceRuntime } from './runtime';
import { HealthController } from './health.controller';
import { APP_CONFIG, CACHE_BUS, LOGGER, REDIS, RUNTIME } from './tokens';

/**
 * Global module exposing the runtime's parts to every feature module:
 * `RUNTIME`, `APP_CONFIG` (AppConfig), `LOGGER` (pino), `REDIS` (ioredis or null), `CACHE_BUS` and `Database`.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: APP_CONFIG, useValue: runtime.config },
        { provide: LOGGER, useValue: runtime.logger },
        { provide: REDIS, useValue: runtime.redis },
        { provide: Database, useValue: runtime.db },
        { provide: CACHE_BUS, useValue: runtime.bus },
      ],
      exports: [RUNTIME, APP_CONFIG, LOGGER, REDIS, Database, CACHE_BUS],
    };
  }
}
