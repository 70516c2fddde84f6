import type { RelayCaller } from '../auth/relay-auth.service';
import type { RelayPricing } from '../billing/pricing';
import type { QuotaService } from '../billing/quota.service';
import type { LeaseWant } from '../capacity/capacity-store';
import { CallersFull, type CallerSlots, type ChannelCapacity } from '../capacity/channel-capacity';
import type { Priced } from '../endpoints';
import type { ParsedRequest } from '../endpoints/request-body';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import type { RateCharge, RelayRateLimiter } from '../rate-limit/relay-rate-limiter';

/** What an admitted request holds until it ends. */
export interface Admitted {
  /** Tokens-per-minute points charged (corrected at settlement, given back on release). */
  rateCharge: RateCharge | null;
  /** Concurrency slots (user, token) held until the request ends; null when those caps are off. */
  leases: CallerSlots | null;
}

const NO_WANTS: readonly LeaseWant[] = [];

/** 429 for a caller whose concurrency cap `wants[index]` is full. */
export function callerCapExceeded(wants: readonly LeaseWant[], index: number, keyPrefix: string): RelayException {
  const which = wants[index].key.startsWith(`${keyPrefix}user:`) ? 'this user' : 'this API key';
  return new RelayException(
    RelayErrorCode.ConcurrencyLimitExceeded,
    `too many requests in flight for ${which} (at most ${wants[index].limit} at once); retry when one finishes`,
    null,
    null,
    1,
  );
}

/**
 * Admission, cheapest refusal first and each answered at once (no queue): the caller's
 * concurrency slots (per user and per token, `UserConcurrencyLimit` / `TokenConcurrencyLimit`;
 * taken with the first channel's capacity when that channel has limits), the rate limits, then
 * the quota reservation. A refused request changes nothing: whatever an earlier step took is
 * given back. `release` undoes an admission whose request produced nothing billable; `end` frees
 * the slots when the request is over, whatever its outcome.
 */
export class Admission {
  /** Key namespace of the caller caps (`<prefix>user:<id>`); tests sharing a Redis use one per run. */
  keyPrefix = '';

  constructor(
    private readonly quota: QuotaService,
    private readonly limiter: RelayRateLimiter | undefined,
    private readonly pricing: RelayPricing,
    private readonly capacity: ChannelCapacity,
  ) {}

  /** The caller's concurrency caps to take (none when both are 0). */
  callerWants(caller: RelayCaller): readonly LeaseWant[] {
    const o = this.pricing.options;
    if (o.userConcurrencyLimit <= 0 && o.tokenConcurrencyLimit <= 0) return NO_WANTS;
    const wants: LeaseWant[] = [];
    if (o.userConcurrencyLimit > 0) wants.push({ key: `${this.keyPrefix}user:${caller.user.id}`, limit: o.userConcurrencyLimit });
    if (o.tokenConcurrencyLimit > 0) wants.push({ key: `${this.keyPrefix}token:${caller.token.id}`, limit: o.tokenConcurrencyLimit });
    return wants;
  }

  /** 429 for a caller whose cap `wants[index]` is full. */
  refuse(wants: readonly LeaseWant[], index: number): RelayException {
    return callerCapExceeded(wants, index, this.keyPrefix);
  }

  /**
   * Admits the request; `wants` are the caller's caps (callerWants) and `held` the slots already
   * taken for them with the first channel's capacity.
   */
  async admit(requestId: string, caller: RelayCaller, parsed: ParsedRequest, priced: Priced, wants: readonly LeaseWant[] = NO_WANTS, held: CallerSlots | null = null): Promise<Admitted> {
    let leases = held;
    if (!leases && wants.length) {
      const taken = await this.capacity.takeCallers(requestId, wants);
      if (taken instanceof CallersFull) throw this.refuse(wants, taken.index);
      leases = taken;
    }
    let charge: RateCharge | null = null;
    try {
      const limiter = this.limiter;
      charge = limiter?.active ? await limiter.check(caller.token.id, caller.user.id, priced.promptTokens, parsed.maxTokens) : null;
      await this.quota.reserve(caller, requestId, priced.reserved);
    } catch (error) {
      if (charge) this.limiter?.refund(charge);
      // Slots taken with the channel go back with it (the pipeline vacates the seat).
      if (leases && !held) this.end(leases);
      throw error;
    }
    return { rateCharge: charge, leases };
  }

  async release(requestId: string, caller: RelayCaller, charge: RateCharge | null): Promise<void> {
    if (charge) this.limiter?.refund(charge);
    await this.quota.refund(caller, requestId);
  }

  /** Frees the request's concurrency slots (the request is over); a no-op once given back. */
  end(leases: CallerSlots | null): void {
    if (leases) this.capacity.endCallers(leases);
  }
}
