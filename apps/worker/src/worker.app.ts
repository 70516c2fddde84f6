import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createNestApp, type ServiceRuntime } from '@oneapi/platform';
import { WorkerModule } from './worker.module';

/** The worker (health server + job consumers) for a runtime, not listening yet. */
export function createWorkerApp(runtime: ServiceRuntime): Promise<NestFastifyApplication> {
  return createNestApp(runtime, WorkerModule.forRuntime(runtime));
}
