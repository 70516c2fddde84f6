import { Inject, Injectable } from '@nestjs/common';
import { formatQuota, readOptions } from '@oneapi/domain';
import { RedemptionRepository, type IdempotencyClaim, type Redeemed } from '@oneapi/data';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { afterCommit } from '../common/after-commit';
import { ApiError } from '../common/api-error';

/** Redeeming a code for the current user (One API's TopUp / model.Redeem), exactly once. */
@Injectable()
export class TopUpService {
  constructor(
    @Inject(RedemptionRepository) private readonly redemptions: RedemptionRepository,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  /** Credits the code's quota to the user (storing the idempotent answer with the credit). */
  async redeem(user: { id: number; username: string }, key: string, idempotency?: IdempotencyClaim<Redeemed>): Promise<Redeemed> {
    const options = readOptions(this.runtime.options.raw());
    const result = await this.redemptions.redeem(key.trim(), user.id, Math.floor(Date.now() / 1000), (quota) => ({
      username: user.username,
      content: `topped up ${formatQuota(quota, { displayInCurrency: options.DisplayInCurrencyEnabled, perUnit: options.QuotaPerUnit })} with a redemption code`,
    }), idempotency);
    if (!result.ok) {
      switch (result.reason) {
        case 'invalid':
          throw ApiError.badRequest('invalid redemption code');
        case 'disabled':
          throw ApiError.badRequest('this redemption code has been disabled');
        case 'used':
          throw ApiError.badRequest('this redemption code has already been used');
        case 'user_unavailable':
          throw ApiError.forbidden('this user cannot be topped up');
      }
    }
    await afterCommit(this.runtime.logger, `publish user ${user.id}`, () => this.runtime.bus.publish({ topic: 'user', id: String(user.id) }));
    return result;
  }
}
