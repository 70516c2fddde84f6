/**
 * Per-token and per-user rate limits (SPEC 11): requests per minute per token, requests per
 * minute per user (all its tokens together), and prompt + completion tokens per minute per token.
 *
 * Limits are the options `TokenRequestsPerMinute`, `UserRequestsPerMinute` and
 * `TokenTokensPerMinute` (0 = unlimited, the default). In distributed mode the counters live in
 * Redis (`RateLimiterRedis`: one Lua script per consume, so the limit is atomic across replicas);
 * in embedded mode in this process (`RateLimiterMemory`).
 *
 * Tokens per minute: the reservation-time estimate (prompt + max_tokens) is charged before the
 * upstream call and corrected after settlement (`penalty` / `reward` by the difference to the
 * real prompt + completion); a request that is refunded gives the whole estimate back.
 */
import type { Logger } from 'pino';
import type { RedisClient } from '@oneapi/cache';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RelayPricing } from '../billing/pricing';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';

const WINDOW_SECONDS = 60;

/** The tokens-per-minute points charged for one request, to correct after settlement. */
export interface RateCharge {
  limiter: RateLimiterAbstract;
  key: string;
  points: number;
}

type LimitKind = 'token-requests' | 'user-requests' | 'token-tokens';

const LIMIT_NAMES: Record<LimitKind, string> = {
  'token-requests': 'requests per minute of this token',
  'user-requests': 'requests per minute of this user',
  'token-tokens': 'tokens per minute of this token',
};

const OPTION_NAMES: Record<LimitKind, string> = {
  'token-requests': 'TokenRequestsPerMinute',
  'user-requests': 'UserRequestsPerMinute',
  'token-tokens': 'TokenTokensPerMinute',
};

export class RelayRateLimiter {
  private readonly limiters = new Map<LimitKind, { points: number; limiter: RateLimiterAbstract }>();
  private prefix: string;

  constructor(
    private readonly pricing: RelayPricing,
    private readonly redis: RedisClient | null,
    private readonly logger: Logger,
    keyPrefix = 'oneapi:ratelimit',
  ) {
    this.prefix = keyPrefix;
  }

  /** Redis key prefix (tests use one per run; deployments sharing a Redis may set their own). */
  set keyPrefix(prefix: string) {
    this.prefix = prefix;
    this.limiters.clear();
  }

  get keyPrefix(): string {
    return this.prefix;
  }

  /** False when every limit is 0: the hot path then skips the limiter entirely. */
  get active(): boolean {
    const o = this.pricing.options;
    return o.tokenRequestsPerMinute > 0 || o.userRequestsPerMinute > 0 || o.tokenTokensPerMinute > 0;
  }

  /**
   * Counts one request of the token and its user, and `estimatedTokens` against the token's
   * tokens per minute. Throws a 429 `rate_limit_exceeded` RelayException (with `retryAfterSeconds`)
   * naming the first limit that is exceeded; the points of the limits that passed are given back
   * then, so a refused request costs nothing. Returns the tokens charge to settle later, or null.
   * While Redis is away the limits are counted in this process (documented fallback).
   */
  async check(tokenId: number, userId: number, estimatedTokens: number): Promise<RateCharge | null> {
    const o = this.pricing.options;
    const wanted: Array<{ kind: LimitKind; limiter: RateLimiterAbstract; key: string; points: number }> = [];
    if (o.tokenRequestsPerMinute > 0) wanted.push({ kind: 'token-requests', limiter: this.limiter('token-requests', o.tokenRequestsPerMinute), key: String(tokenId), points: 1 });
    if (o.userRequestsPerMinute > 0) wanted.push({ kind: 'user-requests', limiter: this.limiter('user-requests', o.userRequestsPerMinute), key: String(userId), points: 1 });
    if (o.tokenTokensPerMinute > 0) {
      // A request larger than the whole budget could otherwise never pass: it may use a full
      // window, and settlement charges the rest.
      const points = Math.max(1, Math.min(Math.ceil(estimatedTokens), o.tokenTokensPerMinute));
      wanted.push({ kind: 'token-tokens', limiter: this.limiter('token-tokens', o.tokenTokensPerMinute), key: String(tokenId), points });
    }
    const results = await Promise.allSettled(wanted.map((w) => w.limiter.consume(w.key, w.points)));
    let refused: { kind: LimitKind; res: RateLimiterRes } | undefined;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      if (r.reason instanceof RateLimiterRes) {
        if (!refused) refused = { kind: wanted[i].kind, res: r.reason };
      } else {
        this.logger.warn({ err: (r.reason as Error)?.message, limit: wanted[i].kind }, 'rate limiter unavailable, request let through');
      }
    });
    if (refused) {
      // A rejected consume still counted its points: give back every limit's points, so a refused
      // request does not use up the budget (retrying clients would otherwise never get in).
      await Promise.all(wanted.map((w) => w.limiter.reward(w.key, w.points).catch(() => undefined)));
      const retryAfter = Math.max(1, Math.ceil(refused.res.msBeforeNext / 1000));
      const limit = refused.kind === 'token-tokens' ? o.tokenTokensPerMinute : refused.kind === 'token-requests' ? o.tokenRequestsPerMinute : o.userRequestsPerMinute;
      throw new RelayException(
        RelayErrorCode.RateLimitExceeded,
        `rate limit exceeded: ${LIMIT_NAMES[refused.kind]} (${OPTION_NAMES[refused.kind]} = ${limit}); retry after ${retryAfter} s`,
        null,
        null,
        retryAfter,
      );
    }
    const tokens = wanted.findIndex((w) => w.kind === 'token-tokens');
    if (tokens === -1 || results[tokens].status !== 'fulfilled') return null;
    const w = wanted[tokens];
    return { limiter: w.limiter, key: w.key, points: w.points };
  }

  /** Corrects a tokens charge to the settled prompt + completion tokens. */
  settle(charge: RateCharge, actualTokens: number): void {
    const diff = Math.ceil(actualTokens) - charge.points;
    if (diff === 0) return;
    const done = diff > 0 ? charge.limiter.penalty(charge.key, diff) : charge.limiter.reward(charge.key, -diff);
    done.catch((e: Error) => this.logger.warn({ err: e.message }, 'rate limiter correction failed'));
  }

  /** Gives a tokens charge back (the request was refunded: nothing was produced). */
  refund(charge: RateCharge): void {
    this.settle(charge, 0);
  }

  private limiter(kind: LimitKind, points: number): RateLimiterAbstract {
    const hit = this.limiters.get(kind);
    if (hit && hit.points === points) return hit.limiter;
    const keyPrefix = `${this.prefix}:${kind}`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
    // While Redis is away each relay counts on its own (the library's insurance limiter).
    const limiter = this.redis ? new RateLimiterRedis({ storeClient: this.redis, keyPrefix, points, duration: WINDOW_SECONDS, insuranceLimiter: memory }) : memory;
    this.limiters.set(kind, { points, limiter });
    return limiter;
  }
}
