import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createNestApp, type ServiceRuntime } from '@oneapi/platform';
import { RelayModule } from './relay.module';

/** The relay application for a runtime, fully configured but not listening (main.ts and tests share it). */
export async function createRelayApp(runtime: ServiceRuntime): Promise<NestFastifyApplication> {
  return createNestApp(runtime, RelayModule.forRuntime(runtime), { bodyLimit: runtime.config.env.RELAY_MAX_BODY_MB * 1024 * 1024 });
}
