import type { RedisClient } from '@oneapi/cache';

/** Redis was not tried (known to be away) or did not answer in time: use the fallback. */
export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

export interface RedisGateOptions {
  /** Longest a caller waits for one Redis operation before it falls back (below the client's command timeout). */
  budgetMs: number;
  /** After a failure, callers fall back without trying Redis for this long; then one call probes it. */
  retryMs: number;
}

/**
 * A circuit breaker in front of Redis for callers that have a fallback (per-process counting).
 * Without it, every request waits out the command timeout while Redis hangs; with it, the first
 * failure costs at most `budgetMs`, and then callers skip Redis until a single probe succeeds.
 * While disconnected (refused, reconnecting) nothing is tried at all.
 */
export class RedisGate {
  private closedUntil = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RedisGateOptions,
  ) {}

  /** False while Redis is known to be away: callers go straight to their fallback. */
  get open(): boolean {
    return this.redis.status === 'ready' && performance.now() >= this.closedUntil;
  }

  /**
   * Runs `op` against Redis within the budget. Throws RedisUnavailableError without running it
   * while the gate is closed; any failure or timeout closes the gate for `retryMs`. An operation
   * that answers after its budget still completes in Redis (the caller has moved on).
   */
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') throw new RedisUnavailableError(`Redis is ${this.redis.status}`);
    const now = performance.now();
    if (now < this.closedUntil) throw new RedisUnavailableError('Redis failed recently');
    // Half-open: this call probes; the others keep falling back until it has answered.
    if (this.closedUntil > 0) this.closedUntil = now + this.options.retryMs;
    let timer: NodeJS.Timeout | undefined;
    const pending = op();
    try {
      const result = await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new RedisUnavailableError(`Redis did not answer within ${this.options.budgetMs} ms`)), this.options.budgetMs);
        }),
      ]);
      this.closedUntil = 0;
      return result;
    } catch (error) {
      this.closedUntil = performance.now() + this.options.retryMs;
      pending.catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
