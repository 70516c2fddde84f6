import { runService } from '@oneapi/platform';
import { AdminModule } from './admin.module';

void runService({
  service: 'admin',
  portVariable: 'ADMIN_PORT',
  description: 'the /api management service',
  port: (rt) => rt.config.env.ADMIN_PORT,
  module: (rt) => AdminModule.forRuntime(rt),
});
