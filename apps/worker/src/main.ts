import { runService } from '@oneapi/platform';
import { createWorkerApp } from './worker.app';

runService({
  service: 'worker',
  portVariable: 'WORKER_HEALTH_PORT',
  description: 'background jobs (channel tests, balance updates, log retention)',
  port: (rt) => rt.config.env.WORKER_HEALTH_PORT,
  createApp: (rt) => createWorkerApp(rt),
}).catch((error: Error) => {
  process.stderr.write(`worker: cannot start: ${error.message}\n`);
  process.exit(1);
});
