import { Inject, Injectable, UseGuards, applyDecorators, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiError, ApiErrorCode } from '../common/api-error';
import { RateLimiters, limiterUnavailable, type RateLimitedRequest } from './rate-limiters';

/** Applies CRITICAL_RATE_LIMIT (per client IP, 20-minute window) to a route. */
@Injectable()
export class CriticalRateLimitGuard implements CanActivate {
  constructor(@Inject(RateLimiters) private readonly limits: RateLimiters) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<RateLimitedRequest>();
    const verdict = await this.limits.consume(this.limits.critical, req, true);
    if (verdict.allowed) return true;
    if ('unavailable' in verdict) throw limiterUnavailable();
    throw new ApiError(ApiErrorCode.RateLimited, 'too many requests, try again later', { 'Retry-After': String(verdict.retryAfterSeconds) });
  }
}

/** One API's CriticalRateLimit middleware (login, register, verification, reset, OAuth). */
export const CriticalRateLimit = () => applyDecorators(UseGuards(CriticalRateLimitGuard));
