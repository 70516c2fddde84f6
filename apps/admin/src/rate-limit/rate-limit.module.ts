import { Global, Module } from '@nestjs/common';
import { ClientOrigins } from './client-origin';
import { CriticalRateLimitGuard } from './critical-rate-limit.guard';
import { LoginRateLimitInterceptor } from './login-rate-limit.interceptor';
import { RateLimiters } from './rate-limiters';

/** Global so any feature can put `@CriticalRateLimit()` or `@LoginRateLimit()` on a route. */
@Global()
@Module({
  providers: [ClientOrigins, RateLimiters, CriticalRateLimitGuard, LoginRateLimitInterceptor],
  exports: [ClientOrigins, RateLimiters, CriticalRateLimitGuard, LoginRateLimitInterceptor],
})
export class RateLimitModule {}
