import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceRuntime } from '@oneapi/platform';
import { RelayServices } from './relay.services';
import { RootController } from './root.controller';

/**
 * Nest wiring for the relay. The /v1 routes themselves are plain Fastify routes registered by
 * `registerRelayRoutes` (raw bodies, hijacked streaming, no per-request DI or pipes).
 */
@Module({})
export class RelayModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: RelayModule,
      imports: [PlatformModule.forRuntime(runtime)],
      controllers: [RootController],
      providers: [RelayServices],
      exports: [RelayServices],
    };
  }
}
