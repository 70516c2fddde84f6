import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RedisGate, RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ApiError, ApiErrorCode } from '../common/api-error';
import { ClientOrigins, type OriginRequest } from './client-origin';

/** One API's windows: GLOBAL_API_RATE_LIMIT per 3 minutes, the critical limit per 20 minutes. */
export const GLOBAL_API_WINDOW_SECONDS = 180;
export const CRITICAL_WINDOW_SECONDS = 1200;
/** Wrong passwords are counted over the same 20 minutes as the critical limit. */
export const LOGIN_FAILURE_WINDOW_SECONDS = 1200;
/** A limit waits at most this for Redis, then treats it as away (below the client's 500 ms command timeout). */
const REDIS_BUDGET_MS = 200;
/** After a Redis failure, limits treat it as away for this long before one request tries it again. */
const REDIS_RETRY_MS = 1_000;

export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number } | { allowed: false; unavailable: true };

/** What a fail-closed route answers while the limits' store is away. */
export const LIMITER_UNAVAILABLE = { message: 'rate limiter unavailable, try again shortly', retryAfterSeconds: 1 };

export function limiterUnavailable(): ApiError {
  return new ApiError(ApiErrorCode.ServiceUnavailable, LIMITER_UNAVAILABLE.message, { 'Retry-After': String(LIMITER_UNAVAILABLE.retryAfterSeconds) });
}

/** A request's parts the limiter reads (Fastify request shape). */
export type RateLimitedRequest = OriginRequest;

/** A password check let through by the login limits; report a success so it does not count. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/** Which login limit refused an attempt. */
export type LoginRefusal = { allowed: false; scope: 'client' | 'account'; retryAfterSeconds: number } | { allowed: false; unavailable: true };

/**
 * Routes that refuse service while the limits' store is away (503 `service_unavailable`) instead
 * of counting in this process: sign-ins, accounts and codes, where a per-replica count would
 * multiply an attacker's guesses by the number of replicas. Every other route stays available.
 */
const FAIL_CLOSED_PATHS = new Set(['/api/user/login', '/api/user/register', '/api/verification', '/api/reset_password', '/api/user/reset', '/api/user/topup']);
const FAIL_CLOSED_PREFIXES = ['/api/oauth/'];

/** Whether a request to `url` must fail closed while the limits' store is away. */
export function failsClosed(url: string): boolean {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return FAIL_CLOSED_PATHS.has(path) || FAIL_CLOSED_PREFIXES.some((p) => path.startsWith(p));
}

/** A limit's refusal, as a value (the Redis call itself succeeded). */
type Counted = { refused: RateLimiterRes | null };

/**
 * One limit: in Redis (shared by replicas) behind a breaker, or in this process (embedded mode;
 * and, for routes that may, while Redis is away).
 */
export class Limit {
  constructor(
    private readonly memory: RateLimiterMemory,
    private readonly redis: RateLimiterRedis | null,
    private readonly gate: RedisGate | null,
  ) {}

  /**
   * Counts one point for `key`. While Redis is away: `unavailable` when `failClosed`, else
   * counted in this process (each replica on its own).
   */
  async consume(key: string, failClosed: boolean): Promise<RateLimitVerdict> {
    const redis = this.redis;
    if (!redis || !this.gate) return verdictOf(() => this.memory.consume(key));
    try {
      const { refused } = await this.gate.run(() => redis.consume(key).then((): Counted => ({ refused: null }), refusalOrThrow));
      return refused ? refusedFor(refused) : { allowed: true };
    } catch {
      if (failClosed) return { allowed: false, unavailable: true };
      return verdictOf(() => this.memory.consume(key));
    }
  }

  /** Gives a point back (best effort). */
  async reward(key: string): Promise<void> {
    await this.store((l) => l.reward(key));
  }

  /** Forgets the key's count (best effort). */
  async delete(key: string): Promise<void> {
    await this.store((l) => l.delete(key));
  }

  private async store(op: (l: RateLimiterAbstract) => Promise<unknown>): Promise<void> {
    const redis = this.redis;
    if (redis && this.gate) await this.gate.run(() => op(redis)).catch(() => undefined);
    else await op(this.memory).catch(() => undefined);
  }
}

/**
 * Per-client request limits of the admin API: a global one on every `/api` request, a strict one
 * on login, register, verification mail and password reset, and the login failure limits (per
 * username and client, and per username from all clients). Counters live in Redis in distributed
 * mode (shared by every replica) and in memory otherwise. A limit of 0 disables it.
 *
 * While Redis is away (stopped, or not answering within REDIS_BUDGET_MS) the global limit is
 * counted in this process, so ordinary routes keep working; the critical limits, the login
 * failure limits and the global limit of the critical routes ({@link failsClosed}) answer 503.
 */
@Injectable()
export class RateLimiters {
  readonly global: Limit | null;
  readonly critical: Limit | null;
  private readonly loginPerClient: Limit | null;
  private readonly loginPerAccount: Limit | null;

  constructor(
    @Inject(RUNTIME) runtime: ServiceRuntime,
    @Inject(ClientOrigins) private readonly origins: ClientOrigins,
  ) {
    const env = runtime.config.env;
    // One breaker for all the limits: they share the connection that failed.
    const gate = runtime.redis ? new RedisGate(runtime.redis, { budgetMs: REDIS_BUDGET_MS, retryMs: REDIS_RETRY_MS }) : null;
    const make = (keyPrefix: string, points: number, duration: number): Limit | null => {
      if (points <= 0) return null;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      const redis = runtime.redis ? new RateLimiterRedis({ storeClient: runtime.redis, keyPrefix: `oneapi:rl:${keyPrefix}`, points, duration }) : null;
      return new Limit(memory, redis, gate);
    };
    this.global = make('admin-api', env.GLOBAL_API_RATE_LIMIT, GLOBAL_API_WINDOW_SECONDS);
    this.critical = make('admin-critical', env.CRITICAL_RATE_LIMIT, CRITICAL_WINDOW_SECONDS);
    this.loginPerClient = make('admin-login-client', env.LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS);
    this.loginPerAccount = make('admin-login-account', env.LOGIN_FAILURE_USER_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS);
  }

  clientIp(req: RateLimitedRequest): string {
    return this.origins.of(req).ip;
  }

  /** Counts one request of this client against the limit (`failClosed`: see {@link Limit.consume}). */
  async consume(limit: Limit | null, req: RateLimitedRequest, failClosed: boolean): Promise<RateLimitVerdict> {
    if (!limit) return { allowed: true };
    return limit.consume(this.clientIp(req), failClosed);
  }

  /**
   * Lets one password check for `username` through, or says which limit refuses it. The attempt
   * is counted before the password is checked, so parallel guesses cannot overrun a limit; a
   * success clears this client's count for the account and gives the account's point back.
   * Fails closed while Redis is away.
   */
  async beginLogin(req: RateLimitedRequest, username: string): Promise<LoginAttempt | LoginRefusal> {
    // Hashed: the name is the client's text, and any length or character would otherwise reach Redis keys.
    const account = createHash('sha256').update(username.trim().toLowerCase()).digest('base64url');
    const pair = `${account}|${this.clientIp(req)}`;
    const perClient = this.loginPerClient;
    const perAccount = this.loginPerAccount;
    if (perClient) {
      const v = await perClient.consume(pair, true);
      if (!v.allowed) return 'unavailable' in v ? v : { ...v, scope: 'client' };
    }
    if (perAccount) {
      const v = await perAccount.consume(account, true);
      if (!v.allowed) {
        // No password was checked: this client's point is not a failure.
        await perClient?.reward(pair);
        return 'unavailable' in v ? v : { ...v, scope: 'account' };
      }
    }
    return {
      async succeeded() {
        await Promise.all([perClient?.delete(pair), perAccount?.reward(account)]);
      },
    };
  }
}

function refusedFor(res: RateLimiterRes): RateLimitVerdict {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
}

/** A refusal is an answer from Redis, not a failure of it (it must not trip the breaker). */
function refusalOrThrow(rejection: unknown): Counted {
  if (rejection instanceof RateLimiterRes) return { refused: rejection };
  throw rejection;
}

async function verdictOf(consume: () => Promise<unknown>): Promise<RateLimitVerdict> {
  try {
    await consume();
    return { allowed: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return refusedFor(rejection);
    return { allowed: false, unavailable: true };
  }
}
