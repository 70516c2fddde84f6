import { Global, Module } from '@nestjs/common';
import { CriticalRateLimitGuard } from './critical-rate-limit.guard';
import { RateLimiters } from './rate-limiters';

/** Global so any feature can put `@CriticalRateLimit()` on a route. */
@Global()
@Module({
  providers: [RateLimiters, CriticalRateLimitGuard],
  exports: [RateLimiters, CriticalRateLimitGuard],
})
export class RateLimitModule {}
