import type { RelayCaller } from '../auth/relay-auth.service';
import type { QuotaService } from '../billing/quota.service';
import type { Priced } from '../endpoints';
import type { ParsedRequest } from '../endpoints/request-body';
import type { RateCharge, RelayRateLimiter } from '../rate-limit/relay-rate-limiter';

/**
 * Admission: rate limits, then the quota reservation against token and user. A refused request
 * changes nothing (the rate charge is given back when the reservation fails); `release` undoes
 * an admission whose request produced nothing billable.
 */
export class Admission {
  constructor(
    private readonly quota: QuotaService,
    private readonly limiter: RelayRateLimiter | undefined,
  ) {}

  async admit(requestId: string, caller: RelayCaller, parsed: ParsedRequest, priced: Priced): Promise<RateCharge | null> {
    const limiter = this.limiter;
    const charge = limiter?.active ? await limiter.check(caller.token.id, caller.user.id, priced.promptTokens + (parsed.maxTokens ?? 0)) : null;
    try {
      await this.quota.reserve(caller, requestId, priced.reserved);
    } catch (error) {
      if (charge) limiter?.refund(charge);
      throw error;
    }
    return charge;
  }

  async release(requestId: string, caller: RelayCaller, charge: RateCharge | null): Promise<void> {
    if (charge) this.limiter?.refund(charge);
    await this.quota.refund(caller, requestId);
  }
}
