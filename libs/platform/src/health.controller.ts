import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServiceRuntime } from './runtime';
import { RUNTIME } from './tokens';

/** `/healthz`: the process is up. `/readyz`: its database (and Redis when configured) answer. */
@Controller()
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get('healthz')
  @HttpCode(200)
  healthz() {
    return { status: 'ok', service: this.runtime.service };
  }

  @Get('readyz')
  async readyz(@Res() reply: FastifyReply) {
    const checks: Record<string, string> = {};
    let ok = true;
    const withTimeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref())]);
    try {
      await withTimeout(this.runtime.db.ping());
      checks['database'] = 'ok';
    } catch (error) {
      ok = false;
      checks['database'] = (error as Error).message;
    }
    if (this.runtime.redis) {
      try {
        await withTimeout(this.runtime.redis.ping());
        checks['redis'] = 'ok';
      } catch (error) {
        ok = false;
        checks['redis'] = (error as Error).message;
      }
    }
    reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics() {
    return this.runtime.metrics.metrics();
  }
}
