/**
 * Per-token and per-user rate limits (SPEC 11): requests per minute per token, requests per
 * minute per user (all its tokens together), and prompt + completion tokens per minute per token.
 *
 * Limits are the options `TokenRequestsPerMinute`, `UserRequestsPerMinute` and
 * `TokenTokensPerMinute` (0 = unlimited, the default), counted over a sliding 60-second window:
 * at most the limit in any 60 seconds, so a burst at a minute's edge cannot pass twice the limit
 * (rate-limiter-flexible, used before, has fixed windows only). In distributed mode the counts
 * live in Redis (one atomic script per check, shared by every replica); in embedded mode, and in
 * each relay while Redis is away, in this process.
 *
 * Tokens per minute: a request is charged its estimate before the upstream call (prompt +
 * max_tokens, or prompt + DEFAULT_COMPLETION_ESTIMATE without max_tokens) and the charge is set
 * to the real prompt + completion at settlement; a refunded request gives it all back.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { RedisClient } from '@oneapi/cache';
import { RedisGate } from '@oneapi/platform';
import type { RelayPricing } from '../billing/pricing';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import { MemorySlidingWindow, RedisSlidingWindow, type SlidingWindow, type TakeResult, type WindowWant } from './sliding-window';

const WINDOW_MS = 60_000;

/**
 * Completion tokens assumed for a request without max_tokens until it settles (One API's default
 * PreConsumedQuota is the same 500). Endpoints without completions (embeddings) are corrected to
 * their real count at settlement, usually within milliseconds.
 */
export const DEFAULT_COMPLETION_ESTIMATE = 500;

/** A check waits at most this for Redis before counting in this process instead. */
const REDIS_BUDGET_MS = 100;
/** After a Redis failure, checks count in this process for this long before Redis is tried again. */
const REDIS_RETRY_MS = 1_000;

/** The tokens-per-minute charge of one request, to correct at settlement. */
export interface RateCharge {
  store: SlidingWindow;
  key: string;
  id: string;
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

export interface RelayRateLimiterOptions {
  /** The window (tests shorten it); 60 s otherwise. */
  windowMs?: number;
  /** The process's breaker in front of Redis (shared with the other Redis fallbacks); one of its own otherwise. */
  gate?: RedisGate;
}

/** The relay's breaker in front of Redis for callers that can count in this process instead. */
export function relayRedisGate(redis: RedisClient): RedisGate {
  return new RedisGate(redis, { budgetMs: REDIS_BUDGET_MS, retryMs: REDIS_RETRY_MS });
}

export class RelayRateLimiter {
  private prefix: string;
  private readonly memory: MemorySlidingWindow;
  private readonly remote: RedisSlidingWindow | null;
  private readonly gate: RedisGate | null;
  /** Charge ids: unique across replicas without a round trip. */
  private readonly nonce = randomBytes(6).toString('hex');
  private seq = 0;
  private warnedAt = 0;

  constructor(
    private readonly pricing: RelayPricing,
    redis: RedisClient | null,
    private readonly logger: Logger,
    keyPrefix = 'oneapi:ratelimit',
    options: RelayRateLimiterOptions = {},
  ) {
    this.prefix = keyPrefix;
    const windowMs = options.windowMs ?? WINDOW_MS;
    this.memory = new MemorySlidingWindow(windowMs);
    this.remote = redis ? new RedisSlidingWindow(redis, windowMs) : null;
    this.gate = redis ? (options.gate ?? relayRedisGate(redis)) : null;
  }

  /** Redis key prefix (tests use one per run; deployments sharing a Redis may set their own). */
  set keyPrefix(prefix: string) {
    this.prefix = prefix;
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
   * Counts one request of the token and its user, and its estimated tokens (`promptTokens` +
   * `maxTokens`, or + DEFAULT_COMPLETION_ESTIMATE when the request sets none) against the token's
   * tokens per minute: all of them or, when one limit has no room, none. Throws a 429
   * `rate_limit_exceeded` RelayException (with `retryAfterSeconds`: when that limit has room
   * again) naming the limit. Returns the tokens charge to settle later, or null.
   */
  async check(tokenId: number, userId: number, promptTokens: number, maxTokens: number | null | undefined): Promise<RateCharge | null> {
    const o = this.pricing.options;
    const wants: Array<WindowWant & { kind: LimitKind }> = [];
    if (o.tokenRequestsPerMinute > 0) wants.push({ kind: 'token-requests', key: `${this.prefix}:token-requests:${tokenId}`, limit: o.tokenRequestsPerMinute, cost: 1 });
    if (o.userRequestsPerMinute > 0) wants.push({ kind: 'user-requests', key: `${this.prefix}:user-requests:${userId}`, limit: o.userRequestsPerMinute, cost: 1 });
    if (o.tokenTokensPerMinute > 0) {
      const completion = typeof maxTokens === 'number' && maxTokens > 0 ? maxTokens : DEFAULT_COMPLETION_ESTIMATE;
      // A request larger than the whole budget could otherwise never pass: it may use a full
      // window, and settlement charges the rest.
      const cost = Math.max(1, Math.min(Math.ceil(promptTokens + completion), o.tokenTokensPerMinute));
      wants.push({ kind: 'token-tokens', key: `${this.prefix}:token-tokens:${tokenId}`, limit: o.tokenTokensPerMinute, cost });
    }
    if (wants.length === 0) return null;
    const id = `${this.nonce}.${++this.seq}`;
    const { store, result } = await this.take(id, wants);
    if (result.refused !== -1) {
      const refused = wants[result.refused];
      const retryAfter = Math.max(1, Math.ceil(result.retryMs / 1000));
      throw new RelayException(
        RelayErrorCode.RateLimitExceeded,
        `rate limit exceeded: ${LIMIT_NAMES[refused.kind]} (${OPTION_NAMES[refused.kind]} = ${refused.limit}); retry after ${retryAfter} s`,
        null,
        null,
        retryAfter,
      );
    }
    const tokens = wants.find((w) => w.kind === 'token-tokens');
    return tokens ? { store, key: tokens.key, id, points: tokens.cost } : null;
  }

  /** Sets a tokens charge to the settled prompt + completion tokens. */
  settle(charge: RateCharge, actualTokens: number): void {
    const points = Math.max(0, Math.ceil(actualTokens));
    if (points === charge.points) return;
    const old = charge.points;
    charge.points = points;
    if (charge.store === this.memory || !this.gate) {
      void charge.store.adjust(charge.id, charge.key, old, points);
      return;
    }
    // Best effort: while Redis is away the estimate stays counted there until it leaves the window.
    this.gate.run(() => charge.store.adjust(charge.id, charge.key, old, points)).catch((e: Error) => this.warn(e, 'rate limit correction not applied in Redis'));
  }

  /** Gives a tokens charge back (the request was refunded: nothing was produced). */
  refund(charge: RateCharge): void {
    this.settle(charge, 0);
  }

  /** Redis while it answers (within REDIS_BUDGET_MS), else this process's own counts. */
  private async take(id: string, wants: readonly WindowWant[]): Promise<{ store: SlidingWindow; result: TakeResult }> {
    const remote = this.remote;
    if (remote && this.gate?.open) {
      try {
        return { store: remote, result: await this.gate.run(() => remote.take(id, wants)) };
      } catch (error) {
        this.warn(error as Error, 'rate limits counted in this process only: Redis unavailable');
      }
    }
    return { store: this.memory, result: await this.memory.take(id, wants) };
  }

  /** Once in a while, not per request, while Redis is away. */
  private warn(error: Error, message: string): void {
    if (Date.now() - this.warnedAt < 10_000) return;
    this.warnedAt = Date.now();
    this.logger.warn({ err: error.message }, message);
  }
}
