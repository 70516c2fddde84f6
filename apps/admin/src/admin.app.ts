import type { IncomingMessage, Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { activeTracing, createNestApp, traceHttpRequests, type ServiceRuntime } from '@oneapi/platform';
import type { AuthedUser } from './auth/auth.guard';
import { AdminModule } from './admin.module';
import { registerSession } from './auth/session';
import { registerOpenApi } from './openapi/openapi';
import { registerGlobalRateLimit } from './rate-limit/global-rate-limit.hook';

/**
 * One API's routes end in a slash (`/api/user/`, `/api/option/?p=0`) and its console and scripts
 * call them so, while Nest registers `/api/user`. Fastify's `ignoreTrailingSlash` is a
 * construction option of the shared app factory, so the admin strips one trailing slash from
 * `/api/...` paths before Fastify routes the request (the listener runs first, synchronously).
 */
function acceptTrailingSlash(app: NestFastifyApplication): void {
  const server = app.getHttpServer() as Server;
  server.prependListener('request', (req: IncomingMessage) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path.length > 5 && path.startsWith('/api/') && path.endsWith('/') && !path.startsWith('/api/docs')) {
      req.url = path.slice(0, -1) + (q === -1 ? '' : url.slice(q));
    }
  });
}

/** The admin application for a runtime, fully configured but not listening (main.ts and tests share it). */
export async function createAdminApp(runtime: ServiceRuntime): Promise<NestFastifyApplication> {
  const app = await createNestApp(runtime, AdminModule.forRuntime(runtime));
  const tracing = activeTracing();
  // First hook, so requests the rate limit refuses are traced too.
  if (tracing) traceHttpRequests(app.getHttpAdapter().getInstance(), tracing, { prefix: '/api', userId: (req) => (req as { user?: AuthedUser }).user?.id });
  await registerSession(app, runtime.config);
  acceptTrailingSlash(app);
  registerGlobalRateLimit(app);
  registerOpenApi(app);
  return app;
}
