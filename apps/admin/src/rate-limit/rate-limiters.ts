import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ClientIpResolver } from './client-ip';

/** One API's windows: GLOBAL_API_RATE_LIMIT per 3 minutes, the critical limit per 20 minutes. */
export const GLOBAL_API_WINDOW_SECONDS = 180;
export const CRITICAL_WINDOW_SECONDS = 1200;

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number } | { allowed: false; unavailable: true };

/** A request's parts the limiter reads (Fastify request shape). */
export interface RateLimitedRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Per-client-IP request limits of the admin API: a global one on every `/api` request and a
 * strict one on login, register, verification mail and password reset. Counters live in Redis in
 * distributed mode (shared by every replica) and in memory otherwise. A limit of 0 disables it.
 */
@Injectable()
export class RateLimiters {
  readonly global: RateLimiterAbstract | null;
  readonly critical: RateLimiterAbstract | null;
  private readonly ips: ClientIpResolver;

  constructor(@Inject(RUNTIME) runtime: ServiceRuntime) {
    const env = runtime.config.env;
    this.ips = new ClientIpResolver(runtime.config.trustedProxies);
    const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract | null => {
      if (points <= 0) return null;
      return runtime.redis
        ? new RateLimiterRedis({ storeClient: runtime.redis, keyPrefix: `oneapi:rl:${keyPrefix}`, points, duration })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    };
    this.global = make('admin-api', env.GLOBAL_API_RATE_LIMIT, GLOBAL_API_WINDOW_SECONDS);
    this.critical = make('admin-critical', env.CRITICAL_RATE_LIMIT, CRITICAL_WINDOW_SECONDS);
  }

  clientIp(req: RateLimitedRequest): string {
    return this.ips.resolve(req.socket?.remoteAddress ?? req.ip, req.headers['x-forwarded-for']);
  }

  /** Counts one request of this client against the limiter. */
  async consume(limiter: RateLimiterAbstract | null, req: RateLimitedRequest): Promise<RateLimitVerdict> {
    if (!limiter) return { allowed: true };
    try {
      await limiter.consume(this.clientIp(req));
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      // The store (Redis) failed: answer 503 at once rather than hang or let everything through.
      return { allowed: false, unavailable: true };
    }
  }
}
