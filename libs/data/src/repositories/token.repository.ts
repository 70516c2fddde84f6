import { TokenStatus } from '@oneapi/domain';
import { TokenEntity } from '../entities';
import type { Database } from '../database';
import { execAffected } from '../sql';
import { likeContains, withSqliteWriteLock, type PageRequest, type PageResult } from './sql-helpers';

/** Fields a user sets on their token (One API's AddToken/UpdateToken). */
export interface TokenFields {
  name: string;
  expiredTime: number;
  remainQuota: number;
  unlimitedQuota: boolean;
  /** Comma-separated model allow-list; '' = every model. */
  models: string;
  /** Comma-separated CIDR list; '' = any address. */
  subnet: string;
}

export type TokenOrder = 'id' | 'remain_quota' | 'used_quota';

/** Why enabling a token was refused. */
export type EnableTokenResult = { ok: true; token: TokenEntity } | { ok: false; reason: 'not_found' | 'expired' | 'exhausted' };

/**
 * Admin-side access to `tokens`: every query is scoped to the owning user. A change of a limited
 * token's `remain_quota` moves `granted_quota` by the same amount in the same statement (SPEC
 * section 13); a change answers the token as read inside its own transaction, so nothing can
 * fail after the commit.
 */
export class TokenRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(TokenEntity);
  }

  private write<T>(fn: () => Promise<T>): Promise<T> {
    return withSqliteWriteLock(this.db.source, fn);
  }

  async listByUser(userId: number, page: PageRequest, order: TokenOrder = 'id'): Promise<PageResult<TokenEntity>> {
    const column = order === 'remain_quota' ? 't.remainQuota' : order === 'used_quota' ? 't.usedQuota' : 't.id';
    const [items, total] = await this.repo
      .createQueryBuilder('t')
      .where('t.userId = :userId', { userId })
      .orderBy(column, 'DESC')
      .addOrderBy('t.id', 'DESC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { items, total };
  }

  /** Tokens of the user whose name contains the keyword, or whose key is exactly it (`sk-` optional). */
  async searchByUser(userId: number, keyword: string, page: PageRequest): Promise<PageResult<TokenEntity>> {
    const key = keyword.replace(/^sk-/, '');
    const [items, total] = await this.repo
      .createQueryBuilder('t')
      .where('t.userId = :userId', { userId })
      .andWhere("(t.name LIKE :name ESCAPE '!' OR t.key = :key)", { name: likeContains(keyword), key })
      .orderBy('t.id', 'DESC')
      .skip(page.offset)
      .take(page.limit)
      .getManyAndCount();
    return { items, total };
  }

  /** The token if it exists AND belongs to the user (a foreign id reads as missing). */
  findForUser(id: number, userId: number): Promise<TokenEntity | null> {
    return this.repo.findOneBy({ id, userId });
  }

  async create(userId: number, key: string, fields: TokenFields, now: number): Promise<TokenEntity> {
    const entity = this.repo.create({
      userId,
      key,
      status: TokenStatus.Enabled,
      name: fields.name,
      createdTime: now,
      accessedTime: now,
      expiredTime: fields.expiredTime,
      remainQuota: fields.remainQuota,
      grantedQuota: fields.remainQuota,
      unlimitedQuota: fields.unlimitedQuota,
      usedQuota: 0,
      models: fields.models,
      subnet: fields.subnet,
    });
    return this.write(() => this.repo.save(entity));
  }

  /**
   * Replaces the user-editable fields. A token that was expired or exhausted comes back to
   * enabled when the new expiry/quota makes it usable again; `used_quota` is never touched.
   * `granted_quota` moves with `remain_quota`; a token that was unlimited (whose used quota never
   * came out of remain_quota) starts its account afresh at remain + used.
   */
  async update(id: number, userId: number, fields: TokenFields, now: number): Promise<TokenEntity | null> {
    const usable = fields.expiredTime === -1 || fields.expiredTime > now;
    const funded = fields.unlimitedQuota || fields.remainQuota > 0;
    return this.db.transaction(async (m) => {
      // granted_quota first: MySQL evaluates SET left to right with updated values, SQLite with old ones.
      const affected = await execAffected(
        m,
        'UPDATE tokens SET granted_quota = CASE WHEN unlimited_quota = 1 THEN ? + used_quota ELSE granted_quota + ? - remain_quota END, ' +
          'name = ?, expired_time = ?, remain_quota = ?, unlimited_quota = ?, models = ?, subnet = ?, ' +
          'status = CASE WHEN status = ? AND ? = 1 THEN ? WHEN status = ? AND ? = 1 THEN ? ELSE status END ' +
          'WHERE id = ? AND user_id = ?',
        [
          fields.remainQuota, fields.remainQuota,
          fields.name, fields.expiredTime, fields.remainQuota, fields.unlimitedQuota ? 1 : 0, fields.models, fields.subnet,
          TokenStatus.Expired, usable && funded ? 1 : 0, TokenStatus.Enabled,
          TokenStatus.Exhausted, usable && funded ? 1 : 0, TokenStatus.Enabled,
          id, userId,
        ],
      );
      return affected ? m.getRepository(TokenEntity).findOneBy({ id, userId }) : null;
    });
  }

  /** Disables (or sets any non-enabled status on) the user's token. */
  async setStatus(id: number, userId: number, status: TokenStatus): Promise<TokenEntity | null> {
    return this.db.transaction(async (m) => {
      const affected = await execAffected(m, 'UPDATE tokens SET status = ? WHERE id = ? AND user_id = ?', [status, id, userId]);
      return affected ? m.getRepository(TokenEntity).findOneBy({ id, userId }) : null;
    });
  }

  /** Enables the token only if it is neither expired nor out of quota, in one conditional UPDATE. */
  async enable(id: number, userId: number, now: number): Promise<EnableTokenResult> {
    return this.db.transaction(async (m): Promise<EnableTokenResult> => {
      const affected = await execAffected(
        m,
        'UPDATE tokens SET status = ? WHERE id = ? AND user_id = ? AND (expired_time = -1 OR expired_time > ?) AND (unlimited_quota = 1 OR remain_quota > 0)',
        [TokenStatus.Enabled, id, userId, now],
      );
      const token = await m.getRepository(TokenEntity).findOneBy({ id, userId });
      if (!token) return { ok: false, reason: 'not_found' };
      if (affected) return { ok: true, token };
      if (token.expiredTime !== -1 && token.expiredTime <= now) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'exhausted' };
    });
  }

  /** Deletes the user's token; returns what was deleted (its key invalidates relay caches) or null. */
  async delete(id: number, userId: number): Promise<TokenEntity | null> {
    const token = await this.findForUser(id, userId);
    if (!token) return null;
    const affected = await this.write(() => execAffected(this.db.manager, 'DELETE FROM tokens WHERE id = ? AND user_id = ?', [id, userId]));
    return affected ? token : null;
  }
}
