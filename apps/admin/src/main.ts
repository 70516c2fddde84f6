import { runService } from '@oneapi/platform';
import { createAdminApp } from './admin.app';

void runService({
  service: 'admin',
  portVariable: 'ADMIN_PORT',
  description: 'the /api management service',
  port: (rt) => rt.config.env.ADMIN_PORT,
  createApp: createAdminApp,
});
