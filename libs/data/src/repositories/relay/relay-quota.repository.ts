import { execAffected } from '../../sql';
import type { Database } from '../../database';

/** Counter increments for one settled request, or a batch of them summed per row. */
export interface UsageIncrements {
  users: Map<number, { quota: number; requests: number }>;
  tokens: Map<number, number>;
  channels: Map<number, number>;
}

/**
 * The relay's quota writes. Every change is ONE conditional UPDATE whose affected-row count
 * says whether it won: no read-then-write, so concurrent requests on any number of nodes can
 * never double-spend a unit or lose an update, and balances never go below zero.
 */
export class RelayQuotaRepository {
  constructor(private readonly db: Database) {}

  /**
   * Takes `amount` from a token's remaining quota if it holds that much (unlimited tokens always
   * pass and keep their balance). Returns whether the reservation was made.
   */
  async reserveToken(tokenId: number, amount: number): Promise<boolean> {
    if (amount <= 0) return true;
    const n = await execAffected(
      this.db.manager,
      'UPDATE tokens SET remain_quota = CASE WHEN unlimited_quota = 1 THEN remain_quota ELSE remain_quota - ? END WHERE id = ? AND (unlimited_quota = 1 OR remain_quota >= ?)',
      [amount, tokenId, amount],
    );
    return n > 0;
  }

  /** Takes `amount` from a user's quota if the user holds that much. */
  async reserveUser(userId: number, amount: number): Promise<boolean> {
    if (amount <= 0) return true;
    const n = await execAffected(this.db.manager, 'UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ?', [amount, userId, amount]);
    return n > 0;
  }

  /**
   * Moves a token's balance by `-delta` after settlement: a negative delta refunds, a positive
   * one charges the part of the real cost the reservation did not cover, clamped at zero.
   * `used` (>= 0) is added to used_quota in the same statement when counters are not batched.
   */
  async adjustToken(tokenId: number, delta: number, used = 0): Promise<void> {
    if (delta === 0 && used === 0) return;
    const now = Math.floor(Date.now() / 1000);
    await execAffected(
      this.db.manager,
      'UPDATE tokens SET remain_quota = CASE WHEN unlimited_quota = 1 THEN remain_quota WHEN remain_quota - ? < 0 THEN 0 ELSE remain_quota - ? END, used_quota = used_quota + ?, accessed_time = ? WHERE id = ?',
      [delta, delta, used, now, tokenId],
    );
  }

  /** Same as adjustToken for users; `requests` is added to request_count. */
  async adjustUser(userId: number, delta: number, used = 0, requests = 0): Promise<void> {
    if (delta === 0 && used === 0 && requests === 0) return;
    await execAffected(
      this.db.manager,
      'UPDATE users SET quota = CASE WHEN quota - ? < 0 THEN 0 ELSE quota - ? END, used_quota = used_quota + ?, request_count = request_count + ? WHERE id = ?',
      [delta, delta, used, requests, userId],
    );
  }

  async addChannelUsedQuota(channelId: number, used: number): Promise<void> {
    if (used === 0) return;
    await execAffected(this.db.manager, 'UPDATE channels SET used_quota = used_quota + ? WHERE id = ?', [used, channelId]);
  }

  /** Applies summed counter increments (BATCH_UPDATE_ENABLED), one UPDATE per row, in one transaction. */
  async applyIncrements(inc: UsageIncrements): Promise<void> {
    if (inc.users.size + inc.tokens.size + inc.channels.size === 0) return;
    await this.db.transaction(async (m) => {
      for (const [id, v] of inc.users) {
        await execAffected(m, 'UPDATE users SET used_quota = used_quota + ?, request_count = request_count + ? WHERE id = ?', [v.quota, v.requests, id]);
      }
      for (const [id, q] of inc.tokens) {
        await execAffected(m, 'UPDATE tokens SET used_quota = used_quota + ?, accessed_time = ? WHERE id = ?', [q, Math.floor(Date.now() / 1000), id]);
      }
      for (const [id, q] of inc.channels) {
        await execAffected(m, 'UPDATE channels SET used_quota = used_quota + ? WHERE id = ?', [q, id]);
      }
    });
  }
}
