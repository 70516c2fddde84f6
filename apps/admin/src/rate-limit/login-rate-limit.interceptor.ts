import { Inject, Injectable, UseGuards, UseInterceptors, applyDecorators, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, mergeMap, type Observable } from 'rxjs';
import { ApiError, ApiErrorCode } from '../common/api-error';
import { CriticalRateLimitGuard } from './critical-rate-limit.guard';
import { RateLimiters, limiterUnavailable, type RateLimitedRequest } from './rate-limiters';

/**
 * Wrong-password lockouts on a password login route: LOGIN_FAILURE_LIMIT per username and client
 * address, LOGIN_FAILURE_USER_LIMIT per username from every address. Reads `username` from the
 * body; a handler that answers normally is a success, anything else counts as a failure.
 */
@Injectable()
export class LoginRateLimitInterceptor implements NestInterceptor {
  constructor(@Inject(RateLimiters) private readonly limits: RateLimiters) {}

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = ctx.switchToHttp().getRequest<RateLimitedRequest & { body?: unknown }>();
    const body = req.body as { username?: unknown } | undefined;
    const username = typeof body?.username === 'string' ? body.username : '';
    const attempt = await this.limits.beginLogin(req, username);
    if ('allowed' in attempt) {
      if ('unavailable' in attempt) throw limiterUnavailable();
      const message = attempt.scope === 'client' ? 'too many failed logins for this account from your address, try again later' : 'too many failed logins for this account, try again later';
      throw new ApiError(ApiErrorCode.RateLimited, message, { 'Retry-After': String(attempt.retryAfterSeconds) });
    }
    return next.handle().pipe(mergeMap((result) => from(attempt.succeeded().then(() => result))));
  }
}

/** CRITICAL_RATE_LIMIT per client plus the wrong-password lockouts, for the password login route. */
export const LoginRateLimit = () => applyDecorators(UseGuards(CriticalRateLimitGuard), UseInterceptors(LoginRateLimitInterceptor));
