import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createNestApp, type ServiceRuntime } from '@oneapi/platform';
import { AdminModule } from './admin.module';
import { registerSession } from './auth/session';
import { registerOpenApi } from './openapi/openapi';
import { registerGlobalRateLimit } from './rate-limit/global-rate-limit.hook';

/** The admin application for a runtime, fully configured but not listening (main.ts and tests share it). */
export async function createAdminApp(runtime: ServiceRuntime): Promise<NestFastifyApplication> {
  const app = await createNestApp(runtime, AdminModule.forRuntime(runtime));
  await registerSession(app, runtime.config);
  registerGlobalRateLimit(app);
  registerOpenApi(app);
  return app;
}
