import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createNestApp, type ServiceRuntime } from '@oneapi/platform';
import { RelayModule } from './relay.module';
import { RelayServices } from './relay.services';
import { registerRelayRoutes } from './relay.routes';

/** The relay application for a runtime, fully configured but not listening (main.ts and tests share it). */
export async function createRelayApp(runtime: ServiceRuntime): Promise<NestFastifyApplication> {
  const bodyLimit = runtime.config.env.RELAY_MAX_BODY_MB * 1024 * 1024;
  const app = await createNestApp(runtime, RelayModule.forRuntime(runtime), { bodyLimit });
  const services = app.get(RelayServices);
  await app.getHttpAdapter().getInstance().register(registerRelayRoutes(services, bodyLimit));
  return app;
}
