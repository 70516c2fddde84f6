import { RelayQuotaRepository, type Database } from '@oneapi/data';
import type { RelayAuthService, RelayCaller } from '../auth/relay-auth.service';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import type { UsageRecorder } from './usage-recorder';

/**
 * Reserve-then-settle against token and user (SPEC section 6). Each step is one conditional
 * UPDATE (see RelayQuotaRepository); the cached copies of the token and user follow the same
 * deltas so the next request's cached view stays close to the database without a read.
 */
export class QuotaService {
  private readonly repo: RelayQuotaRepository;

  constructor(
    db: Database,
    private readonly auth: RelayAuthService,
    private readonly recorder: UsageRecorder,
  ) {
    this.repo = new RelayQuotaRepository(db);
  }

  /** Takes `amount` from the token, then the user; 403 with the exhausted side's code when short. */
  async reserve(caller: RelayCaller, amount: number): Promise<void> {
    if (amount <= 0) return;
    const result = await this.repo.reserve(caller.token.id, caller.user.id, amount, caller.token.unlimitedQuota);
    if (result === 'token') {
      throw new RelayException(RelayErrorCode.InsufficientTokenQuota, 'the remaining quota of this API key is not enough for this request');
    }
    if (result === 'user') throw new RelayException(RelayErrorCode.InsufficientUserQuota, 'your remaining quota is not enough for this request');
    this.track(caller, amount);
  }

  /** Gives a whole reservation back (the request failed before anything billable happened). */
  async refund(caller: RelayCaller, amount: number): Promise<void> {
    if (amount <= 0) return;
    await this.repo.adjustToken(caller.token.id, -amount);
    await this.repo.adjustUser(caller.user.id, -amount);
    this.track(caller, -amount);
  }

  /**
   * Settles a finished request: moves both balances by (cost − reserved) and adds the used-quota
   * and request counters (in the same statements, or through the batcher when enabled).
   */
  async settle(caller: RelayCaller, reserved: number, cost: number, channelId: number): Promise<void> {
    const delta = cost - reserved;
    const { token, user } = caller;
    if (this.recorder.batchCounters) {
      // Batched: the difference is applied with the counters every BATCH_UPDATE_INTERVAL seconds
      // (refunds arrive late; an extra charge beyond the reservation is the only exposure).
      this.recorder.count(user.id, token.id, channelId, cost, delta);
    } else {
      await this.repo.settle({ tokenId: token.id, userId: user.id, channelId, delta, cost });
    }
    this.track(caller, delta);
  }

  private track(caller: RelayCaller, spent: number): void {
    if (spent === 0) return;
    const t = caller.token;
    this.auth.tokens.update(t.key, (c) => {
      if (!c.unlimitedQuota) c.remainQuota = Math.max(0, c.remainQuota - spent);
    });
    this.auth.users.update(String(caller.user.id), (u) => {
      u.quota = Math.max(0, u.quota - spent);
    });
  }
}
