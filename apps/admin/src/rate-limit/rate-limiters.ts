import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ClientOrigins, type OriginRequest } from './client-origin';

/** One API's windows: GLOBAL_API_RATE_LIMIT per 3 minutes, the critical limit per 20 minutes. */
export const GLOBAL_API_WINDOW_SECONDS = 180;
export const CRITICAL_WINDOW_SECONDS = 1200;
/** Wrong passwords are counted over the same 20 minutes as the critical limit. */
export const LOGIN_FAILURE_WINDOW_SECONDS = 1200;

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number } | { allowed: false; unavailable: true };

/** A request's parts the limiter reads (Fastify request shape). */
export type RateLimitedRequest = OriginRequest;

/** A password check let through by the login limits; report a success so it does not count. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/** Which login limit refused an attempt. */
export type LoginRefusal = { allowed: false; scope: 'client' | 'account'; retryAfterSeconds: number } | { allowed: false; unavailable: true };

/**
 * Per-client request limits of the admin API: a global one on every `/api` request, a strict one
 * on login, register, verification mail and password reset, and the login failure limits (per
 * username and client, and per username from all clients). Counters live in Redis in distributed
 * mode (shared by every replica) and in memory otherwise. A limit of 0 disables it.
 */
@Injectable()
export class RateLimiters {
  readonly global: RateLimiterAbstract | null;
  readonly critical: RateLimiterAbstract | null;
  private readonly loginPerClient: RateLimiterAbstract | null;
  private readonly loginPerAccount: RateLimiterAbstract | null;

  constructor(
    @Inject(RUNTIME) runtime: ServiceRuntime,
    @Inject(ClientOrigins) private readonly origins: ClientOrigins,
  ) {
    const env = runtime.config.env;
    const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract | null => {
      if (points <= 0) return null;
      return runtime.redis
        ? new RateLimiterRedis({ storeClient: runtime.redis, keyPrefix: `oneapi:rl:${keyPrefix}`, points, duration })
        : new RateLimiterMemory({ keyPrefix, points, duration });
    };
    this.global = make('admin-api', env.GLOBAL_API_RATE_LIMIT, GLOBAL_API_WINDOW_SECONDS);
    this.critical = make('admin-critical', env.CRITICAL_RATE_LIMIT, CRITICAL_WINDOW_SECONDS);
    this.loginPerClient = make('admin-login-client', env.LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS);
    this.loginPerAccount = make('admin-login-account', env.LOGIN_FAILURE_USER_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS);
  }

  clientIp(req: RateLimitedRequest): string {
    return this.origins.of(req).ip;
  }

  /** Counts one request of this client against the limiter. */
  async consume(limiter: RateLimiterAbstract | null, req: RateLimitedRequest): Promise<RateLimitVerdict> {
    if (!limiter) return { allowed: true };
    return verdictOf(() => limiter.consume(this.clientIp(req)));
  }

  /**
   * Lets one password check for `username` through, or says which limit refuses it. The attempt
   * is counted before the password is checked, so parallel guesses cannot overrun a limit; a
   * success clears this client's count for the account and gives the account's point back.
   */
  async beginLogin(req: RateLimitedRequest, username: string): Promise<LoginAttempt | LoginRefusal> {
    // Hashed: the name is the client's text, and any length or character would otherwise reach Redis keys.
    const account = createHash('sha256').update(username.trim().toLowerCase()).digest('base64url');
    const pair = `${account}|${this.clientIp(req)}`;
    const perClient = this.loginPerClient;
    const perAccount = this.loginPerAccount;
    if (perClient) {
      const v = await verdictOf(() => perClient.consume(pair));
      if (!v.allowed) return 'unavailable' in v ? v : { ...v, scope: 'client' };
    }
    if (perAccount) {
      const v = await verdictOf(() => perAccount.consume(account));
      if (!v.allowed) {
        // No password was checked: this client's point is not a failure.
        await perClient?.reward(pair).catch(() => undefined);
        return 'unavailable' in v ? v : { ...v, scope: 'account' };
      }
    }
    return {
      async succeeded() {
        await Promise.all([perClient?.delete(pair), perAccount?.reward(account)]).catch(() => undefined);
      },
    };
  }
}

async function verdictOf(consume: () => Promise<unknown>): Promise<RateLimitVerdict> {
  try {
    await consume();
    return { allowed: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    // The store (Redis) failed: answer 503 at once rather than hang or let everything through.
    return { allowed: false, unavailable: true };
  }
}
