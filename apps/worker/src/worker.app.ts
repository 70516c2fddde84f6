import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { JobsOptions } from '@oneapi/jobs';
import { createNestApp, type ServiceRuntime } from '@oneapi/platform';
import { WorkerModule } from './worker.module';

/** Raised when the worker is started without Redis (embedded mode runs the jobs in the admin process). */
export class WorkerConfigError extends Error {
  constructor() {
    super(
      'the worker needs Redis: set REDIS_CONN_STRING (distributed mode). Without Redis (embedded mode) the admin service runs the background jobs itself, so no worker is needed.',
    );
    this.name = 'WorkerConfigError';
  }
}

/** The worker (health server + BullMQ consumers) for a runtime, not listening yet. */
export function createWorkerApp(runtime: ServiceRuntime, jobs: JobsOptions = {}): Promise<NestFastifyApplication> {
  if (!runtime.config.redisUrl) return Promise.reject(new WorkerConfigError());
  return createNestApp(runtime, WorkerModule.forRuntime(runtime, jobs));
}
