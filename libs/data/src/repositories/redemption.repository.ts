import { LogType, RedemptionStatus, UserStatus } from '@oneapi/domain';
import { RedemptionEntity } from '../entities';
import type { Database } from '../database';
import { execAffected } from '../sql';
import { LogRepository, type NewLog } from './log.repository';
import { likeContains, withSqliteWriteLock, type PageRequest, type PageResult } from './sql-helpers';

export type RedeemResult =
  | { ok: true; quota: number; redemptionId: number }
  | { ok: false; reason: 'invalid' | 'disabled' | 'used' | 'user_unavailable' };

export type RedemptionChangeResult = { ok: true; redemption: RedemptionEntity } | { ok: false; reason: 'not_found' | 'used' };

/** Thrown inside the redemption transaction to roll it back with a reason. */
class RedeemAbort extends Error {
  constructor(readonly reason: 'used' | 'user_unavailable') {
    super(reason);
  }
}

/** `redemptions` (One API's model/redemption.go) with the exactly-once redeem. */
export class RedemptionRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(RedemptionEntity);
  }

  /** Inserts a batch of codes (same name and quota) in one transaction; returns them in key order. */
  async createBatch(creatorId: number, name: string, quota: number, keys: string[], now: number): Promise<RedemptionEntity[]> {
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(RedemptionEntity);
      const rows = keys.map((key) => repo.create({ userId: creatorId, key, status: RedemptionStatus.Enabled, name, quota, createdTime: now, redeemedTime: 0, usedBy: 0 }));
      return repo.save(rows);
    });
  }

  async list(page: PageRequest): Promise<PageResult<RedemptionEntity>> {
    const [items, total] = await this.repo.createQueryBuilder('r').orderBy('r.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return { items, total };
  }

  /** Codes whose id or key equals, or name contains, the keyword. */
  async search(keyword: string, page: PageRequest): Promise<PageResult<RedemptionEntity>> {
    const qb = this.repo.createQueryBuilder('r').where("(r.name LIKE :like ESCAPE '!' OR r.key = :key)", { like: likeContains(keyword), key: keyword });
    if (/^\d+$/.test(keyword)) qb.orWhere('r.id = :id', { id: Number(keyword) });
    const [items, total] = await qb.orderBy('r.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return { items, total };
  }

  findById(id: number): Promise<RedemptionEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Every code of a batch (same name), oldest first, for export. */
  findByName(name: string): Promise<RedemptionEntity[]> {
    return this.repo.find({ where: { name }, order: { id: 'ASC' } });
  }

  /** Changes name and quota of a code that has not been used yet. */
  async update(id: number, name: string, quota: number): Promise<RedemptionChangeResult> {
    const affected = await withSqliteWriteLock(this.db.source, () =>
      execAffected(this.db.manager, 'UPDATE redemptions SET name = ?, quota = ? WHERE id = ? AND status <> ?', [name, quota, id, RedemptionStatus.Used]),
    );
    return this.changeResult(id, affected);
  }

  /** Enables or disables a code that has not been used yet. */
  async setStatus(id: number, status: RedemptionStatus.Enabled | RedemptionStatus.Disabled): Promise<RedemptionChangeResult> {
    const affected = await withSqliteWriteLock(this.db.source, () =>
      execAffected(this.db.manager, 'UPDATE redemptions SET status = ? WHERE id = ? AND status <> ?', [status, id, RedemptionStatus.Used]),
    );
    return this.changeResult(id, affected);
  }

  private async changeResult(id: number, affected: number): Promise<RedemptionChangeResult> {
    const redemption = await this.findById(id);
    if (!redemption) return { ok: false, reason: 'not_found' };
    if (!affected) return { ok: false, reason: 'used' };
    return { ok: true, redemption };
  }

  async delete(id: number): Promise<boolean> {
    const affected = await withSqliteWriteLock(this.db.source, () => execAffected(this.db.manager, 'DELETE FROM redemptions WHERE id = ?', [id]));
    return affected > 0;
  }

  /**
   * Redeems a code for a user exactly once: in ONE transaction the conditional
   * `UPDATE redemptions ... WHERE key = ? AND status = 1` (only one concurrent caller can affect
   * the row), the atomic credit `quota = quota + ?`, and the top-up log when logs share the main
   * database (otherwise the log is written right after the commit).
   */
  async redeem(key: string, userId: number, now: number, log: (quota: number) => Omit<NewLog, 'userId' | 'type' | 'quota'>): Promise<RedeemResult> {
    let topUpLog: NewLog | undefined;
    let result: RedeemResult;
    try {
      result = await this.db.transaction(async (m): Promise<RedeemResult> => {
        const rows: Array<{ id: number; status: number; quota: number | string }> = await m.query('SELECT id, status, quota FROM redemptions WHERE `key` = ?', [key]);
        const code = rows[0];
        if (!code) return { ok: false, reason: 'invalid' };
        if (Number(code.status) === RedemptionStatus.Disabled) return { ok: false, reason: 'disabled' };
        if (Number(code.status) !== RedemptionStatus.Enabled) return { ok: false, reason: 'used' };
        const quota = Number(code.quota);
        const won = await execAffected(m, 'UPDATE redemptions SET status = ?, redeemed_time = ?, used_by = ? WHERE `key` = ? AND status = ?', [RedemptionStatus.Used, now, userId, key, RedemptionStatus.Enabled]);
        if (won !== 1) throw new RedeemAbort('used');
        const credited = await execAffected(m, 'UPDATE users SET quota = quota + ? WHERE id = ? AND status = ?', [quota, userId, UserStatus.Enabled]);
        if (credited !== 1) throw new RedeemAbort('user_unavailable');
        topUpLog = { ...log(quota), userId, type: LogType.Topup, quota, createdAt: now };
        if (this.db.logSource === this.db.source) {
          await LogRepository.insertWith(m, topUpLog);
          topUpLog = undefined;
        }
        return { ok: true, quota, redemptionId: Number(code.id) };
      });
    } catch (error) {
      if (error instanceof RedeemAbort) return { ok: false, reason: error.reason };
      throw error;
    }
    if (topUpLog) await new LogRepository(this.db).insert(topUpLog);
    return result;
  }
}
