import { LogType, RedemptionStatus, UserStatus } from '@oneapi/domain';
import { RedemptionEntity } from '../entities';
import type { Database } from '../database';
import { execAffected } from '../sql';
import { IdempotencyRepository, type AfterCommitErrorHandler, type IdempotencyClaim } from './idempotency.repository';
import { LogRepository, type NewLog } from './log.repository';
import { likeContains, withSqliteWriteLock, type PageRequest, type PageResult } from './sql-helpers';

export interface Redeemed {
  ok: true;
  quota: number;
  redemptionId: number;
}

export type RedeemFailure = 'invalid' | 'disabled' | 'used' | 'user_unavailable';

export type RedeemResult = Redeemed | { ok: false; reason: RedeemFailure };

export type RedemptionChangeResult = { ok: true; redemption: RedemptionEntity } | { ok: false; reason: 'not_found' | 'used' };

/** Thrown inside the redemption transaction to roll it back with a reason. */
class RedeemAbort extends Error {
  constructor(readonly reason: RedeemFailure) {
    super(reason);
  }
}

/** `redemptions` (One API's model/redemption.go) with the exactly-once redeem. */
export class RedemptionRepository {
  constructor(
    private readonly db: Database,
    /** Told about failures after a redeem committed (its log on LOG_SQL_DSN's database); the credit stands. */
    private readonly onAfterCommitError: AfterCommitErrorHandler = () => undefined,
  ) {}

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
   * the row), the atomic credit `quota = quota + ?` (and `granted_quota`), the top-up log when
   * logs share the main database (otherwise it is written right after the commit) and the
   * idempotency claim's answer. A failed redeem rolls everything back, claim included.
   */
  async redeem(
    key: string,
    userId: number,
    now: number,
    log: (quota: number) => Omit<NewLog, 'userId' | 'type' | 'quota'>,
    idempotency?: IdempotencyClaim<Redeemed>,
  ): Promise<RedeemResult> {
    let topUpLog: NewLog | undefined;
    let result: Redeemed;
    try {
      result = await this.db.transaction((m) =>
        IdempotencyRepository.within(m, idempotency, async (): Promise<Redeemed> => {
          const rows: Array<{ id: number; status: number; quota: number | string }> = await m.query('SELECT id, status, quota FROM redemptions WHERE `key` = ?', [key]);
          const code = rows[0];
          if (!code) throw new RedeemAbort('invalid');
          if (Number(code.status) === RedemptionStatus.Disabled) throw new RedeemAbort('disabled');
          if (Number(code.status) !== RedemptionStatus.Enabled) throw new RedeemAbort('used');
          const quota = Number(code.quota);
          const won = await execAffected(m, 'UPDATE redemptions SET status = ?, redeemed_time = ?, used_by = ? WHERE `key` = ? AND status = ?', [RedemptionStatus.Used, now, userId, key, RedemptionStatus.Enabled]);
          if (won !== 1) throw new RedeemAbort('used');
          const credited = await execAffected(m, 'UPDATE users SET quota = quota + ?, granted_quota = granted_quota + ? WHERE id = ? AND status = ?', [quota, quota, userId, UserStatus.Enabled]);
          if (credited !== 1) throw new RedeemAbort('user_unavailable');
          topUpLog = { ...log(quota), userId, type: LogType.Topup, quota, createdAt: now };
          if (this.db.logSource === this.db.source) {
            await LogRepository.insertWith(m, topUpLog);
            topUpLog = undefined;
          }
          return { ok: true, quota, redemptionId: Number(code.id) };
        }),
      );
    } catch (error) {
      if (error instanceof RedeemAbort) return { ok: false, reason: error.reason };
      throw error;
    }
    const pending = topUpLog;
    if (pending) await new LogRepository(this.db).insert(pending).catch((error) => this.onAfterCommitError(error, 'top-up log'));
    return result;
  }
}
