import type { LeaseStore, LeaseWant } from '@oneapi/cache';
import type { RelayCaller } from '../auth/relay-auth.service';
import type { RelayPricing } from '../billing/pricing';
import type { QuotaService } from '../billing/quota.service';
import type { Priced } from '../endpoints';
import type { ParsedRequest } from '../endpoints/request-body';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import type { RateCharge, RelayRateLimiter } from '../rate-limit/relay-rate-limiter';

/** What an admitted request holds until it ends. */
export interface Admitted {
  /** Tokens-per-minute points charged (corrected at settlement, given back on release). */
  rateCharge: RateCharge | null;
  /** Concurrency slots (user, token) held until the request ends. */
  leases: string[];
}

/** How long a concurrency slot outlives a relay that died holding it. */
export const LEASE_TTL_MS = 60_000;

/**
 * Admission, cheapest refusal first and each answered at once (no queue): the caller's
 * concurrency slots (per user and per token, `UserConcurrencyLimit` / `TokenConcurrencyLimit`),
 * the rate limits, then the quota reservation. A refused request changes nothing: whatever an
 * earlier step took is given back. `release` undoes an admission whose request produced nothing
 * billable; `end` frees the slots when the request is over, whatever its outcome.
 */
export class Admission {
  private readonly running = new Map<string, { keys: string[]; renewedAt: number }>();
  /** Key namespace of the caller caps (`<prefix>user:<id>`); tests sharing a Redis use one per run. */
  keyPrefix = '';
  private readonly renewer: NodeJS.Timeout;

  constructor(
    private readonly quota: QuotaService,
    private readonly limiter: RelayRateLimiter | undefined,
    private readonly pricing: RelayPricing,
    private readonly leases: LeaseStore,
  ) {
    this.renewer = setInterval(() => this.renewLongRunning(), LEASE_TTL_MS / 3);
    this.renewer.unref();
  }

  async admit(requestId: string, caller: RelayCaller, parsed: ParsedRequest, priced: Priced): Promise<Admitted> {
    const leases = await this.takeSlots(requestId, caller);
    let charge: RateCharge | null = null;
    try {
      const limiter = this.limiter;
      charge = limiter?.active ? await limiter.check(caller.token.id, caller.user.id, priced.promptTokens, parsed.maxTokens) : null;
      await this.quota.reserve(caller, requestId, priced.reserved);
    } catch (error) {
      if (charge) this.limiter?.refund(charge);
      this.end(requestId, leases);
      throw error;
    }
    return { rateCharge: charge, leases };
  }

  async release(requestId: string, caller: RelayCaller, charge: RateCharge | null): Promise<void> {
    if (charge) this.limiter?.refund(charge);
    await this.quota.refund(caller, requestId);
  }

  /** Frees the request's concurrency slots (the request is over). */
  end(requestId: string, leases: string[]): void {
    if (leases.length === 0) return;
    this.running.delete(requestId);
    void this.leases.release(requestId, leases);
  }

  close(): void {
    clearInterval(this.renewer);
  }

  private async takeSlots(requestId: string, caller: RelayCaller): Promise<string[]> {
    const o = this.pricing.options;
    if (o.userConcurrencyLimit <= 0 && o.tokenConcurrencyLimit <= 0) return [];
    const wants: LeaseWant[] = [];
    if (o.userConcurrencyLimit > 0) wants.push({ key: `${this.keyPrefix}user:${caller.user.id}`, limit: o.userConcurrencyLimit });
    if (o.tokenConcurrencyLimit > 0) wants.push({ key: `${this.keyPrefix}token:${caller.token.id}`, limit: o.tokenConcurrencyLimit });
    const full = await this.leases.acquire(requestId, wants);
    if (full !== -1) {
      const which = wants[full].key.startsWith(`${this.keyPrefix}user:`) ? 'this user' : 'this API key';
      throw new RelayException(
        RelayErrorCode.ConcurrencyLimitExceeded,
        `too many requests in flight for ${which} (at most ${wants[full].limit} at once); retry when one finishes`,
        null,
        null,
        1,
      );
    }
    const keys = wants.map((w) => w.key);
    this.running.set(requestId, { keys, renewedAt: Date.now() });
    return keys;
  }

  private renewLongRunning(): void {
    const now = Date.now();
    for (const [id, r] of this.running) {
      if (now - r.renewedAt < LEASE_TTL_MS / 3) continue;
      r.renewedAt = now;
      void this.leases.renew(id, r.keys);
    }
  }
}
