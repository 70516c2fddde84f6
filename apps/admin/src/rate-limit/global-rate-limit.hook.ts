import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrorCode } from '../common/api-error';
import { LIMITER_UNAVAILABLE, RateLimiters, failsClosed } from './rate-limiters';

/**
 * GLOBAL_API_RATE_LIMIT on every `/api` request (One API's GlobalAPIRateLimit), as a Fastify
 * onRequest hook so refused requests cost no routing, body parsing or database work. While Redis
 * is away it counts in this process, except on the critical routes, which answer 503.
 */
export function registerGlobalRateLimit(app: NestFastifyApplication): void {
  const limits = app.get(RateLimiters);
  if (!limits.global) return;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (!req.url.startsWith('/api/') && req.url !== '/api') return;
      const verdict = await limits.consume(limits.global, req, failsClosed(req.url));
      if (verdict.allowed) return;
      if ('unavailable' in verdict) {
        return reply
          .code(503)
          .header('Retry-After', String(LIMITER_UNAVAILABLE.retryAfterSeconds))
          .send({ success: false, message: LIMITER_UNAVAILABLE.message, data: null, code: ApiErrorCode.ServiceUnavailable });
      }
      return reply
        .code(429)
        .header('Retry-After', String(verdict.retryAfterSeconds))
        .send({ success: false, message: 'too many requests, try again later', data: null, code: 'rate_limited' });
    });
}
