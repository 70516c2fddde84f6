import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiters } from './rate-limiters';

/**
 * GLOBAL_API_RATE_LIMIT on every `/api` request (One API's GlobalAPIRateLimit), as a Fastify
 * onRequest hook so refused requests cost no routing, body parsing or database work.
 */
export function registerGlobalRateLimit(app: NestFastifyApplication): void {
  const limits = app.get(RateLimiters);
  if (!limits.global) return;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (!req.url.startsWith('/api/') && req.url !== '/api') return;
      const verdict = await limits.consume(limits.global, req);
      if (verdict.allowed) return;
      if ('unavailable' in verdict) {
        return reply.code(503).send({ success: false, message: 'rate limiter unavailable, try again shortly', data: null, code: 'unavailable' });
      }
      return reply
        .code(429)
        .header('Retry-After', String(verdict.retryAfterSeconds))
        .send({ success: false, message: 'too many requests, try again later', data: null, code: 'rate_limited' });
    });
}
