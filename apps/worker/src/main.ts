import { runService } from '@oneapi/platform';
import { WorkerModule } from './worker.module';

void runService({
  service: 'worker',
  portVariable: 'WORKER_HEALTH_PORT',
  description: 'background jobs (channel tests, balance updates, log retention)',
  port: (rt) => rt.config.env.WORKER_HEALTH_PORT,
  module: (rt) => WorkerModule.forRuntime(rt),
});
