import { Not, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { LogType, TokenStatus, UserStatus } from '@oneapi/domain';
import { LogEntity, TokenEntity, UserEntity } from '../entities';
import type { Database } from '../database';
import { execAffected } from '../sql';
import { IdempotencyRepository, type AfterCommitErrorHandler, type IdempotencyClaim } from './idempotency.repository';

/** Fields of a new account (password already hashed). */
export interface NewUserInput {
  username: string;
  passwordHash: string;
  displayName: string;
  role: number;
  status?: number;
  email?: string;
  githubId?: string;
  wechatId?: string;
  quota?: number;
  group?: string;
  accessToken: string;
  affCode: string;
  inviterId?: number;
}

/** A log line written together with an account change (top-up, manage, system). */
export interface AccountLogInput {
  userId: number;
  type: LogType;
  content: string;
  quota?: number;
}

export interface CreateAccountInput {
  user: NewUserInput;
  /** A default token created in the same transaction (One API's registration token). */
  defaultToken?: { key: string; name: string };
  /** Credit for the inviter (One API's QuotaForInviter), applied in the same transaction. */
  inviterCredit?: { inviterId: number; quota: number };
  /** Logs about the new user; `userId: 0` means "the new user". */
  logs?: AccountLogInput[];
}

/** Fields an admin or the user may change; quota changes go through setQuota / addQuota. */
export type UserPatch = Partial<
  Pick<UserEntity, 'username' | 'password' | 'displayName' | 'role' | 'status' | 'email' | 'githubId' | 'wechatId' | 'group' | 'accessToken' | 'affCode'>
> & {
  /** Moves `session_epoch` on in the same UPDATE: every session cookie issued before is refused. */
  endSessions?: boolean;
};

/** A patch as TypeORM columns; `endSessions` becomes an increment so concurrent changes never lose one. */
function columnsOf(patch: UserPatch): QueryDeepPartialEntity<UserEntity> {
  const { endSessions, ...rest } = patch;
  const fields: QueryDeepPartialEntity<UserEntity> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  if (endSessions) fields.sessionEpoch = () => 'session_epoch + 1';
  return fields;
}

/** An admin's absolute quota change, applied only if the quota still holds `expected`. */
export interface QuotaEdit {
  expected: number;
  quota: number;
  log?: Omit<AccountLogInput, 'userId'>;
}

/** Why `edit` changed nothing. */
export type EditAccountResult = { ok: true; user: UserEntity } | { ok: false; reason: 'not_found' | 'quota_changed' };

/** Thrown inside a transaction to roll it back with the answer the method then returns. */
class Unchanged<T> extends Error {
  constructor(readonly value: T) {
    super('unchanged');
  }
}

export interface UserListPage {
  items: UserEntity[];
  total: number;
}

const now = () => Math.floor(Date.now() / 1000);

/**
 * Users table access. Quota changes are atomic conditional UPDATEs, never load-and-save, and
 * move `granted_quota` by the same amount in the same statement (SPEC section 13: granted −
 * billed = balance − held; only the relay moves quota between balance and used/held).
 */
export class UserRepository {
  constructor(
    private readonly db: Database,
    /** Told about failures after a commit (logs on LOG_SQL_DSN's database); the change stands. */
    private readonly onAfterCommitError: AfterCommitErrorHandler = () => undefined,
  ) {}

  private get logsShareTransaction(): boolean {
    return this.db.logSource === this.db.source;
  }

  private get repo() {
    return this.db.manager.getRepository(UserEntity);
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** A user that is not deleted (admin views treat deleted users as missing). */
  async findLiveById(id: number): Promise<UserEntity | null> {
    const user = await this.findById(id);
    return user && user.status !== UserStatus.Deleted ? user : null;
  }

  findByAccessToken(accessToken: string): Promise<UserEntity | null> {
    if (!accessToken) return Promise.resolve(null);
    return this.repo.findOneBy({ accessToken });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ username });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    if (!email) return Promise.resolve(null);
    return this.repo.findOne({ where: { email }, order: { id: 'ASC' } });
  }

  findByGitHubId(githubId: string): Promise<UserEntity | null> {
    if (!githubId) return Promise.resolve(null);
    return this.repo.findOneBy({ githubId });
  }

  findByWeChatId(wechatId: string): Promise<UserEntity | null> {
    if (!wechatId) return Promise.resolve(null);
    return this.repo.findOneBy({ wechatId });
  }

  findByAffCode(affCode: string): Promise<UserEntity | null> {
    if (!affCode) return Promise.resolve(null);
    return this.repo.findOneBy({ affCode });
  }

  /** Login accepts the username or the email address (One API's ValidateAndFill). */
  async findByLogin(login: string): Promise<UserEntity | null> {
    return (await this.findByUsername(login)) ?? (login.includes('@') ? this.findByEmail(login) : null);
  }

  /** Users that are not deleted, newest first. */
  async list(offset: number, limit: number): Promise<UserListPage> {
    const qb = this.repo.createQueryBuilder('u').where('u.status <> :deleted', { deleted: UserStatus.Deleted });
    const [items, total] = await qb.orderBy('u.id', 'DESC').skip(offset).take(limit).getManyAndCount();
    return { items, total };
  }

  /** One API's SearchUsers: id, username, email or display name matches (deleted users excluded). */
  search(keyword: string, limit = 100): Promise<UserEntity[]> {
    // '!' as the LIKE escape: a backslash would need different quoting on MySQL and SQLite.
    const like = `%${keyword.replace(/[!%_]/g, (c) => `!${c}`)}%`;
    const id = /^\d+$/.test(keyword) ? Number(keyword) : -1;
    return this.repo
      .createQueryBuilder('u')
      .where('u.status <> :deleted', { deleted: UserStatus.Deleted })
      .andWhere("(u.id = :id OR u.username LIKE :like ESCAPE '!' OR u.email LIKE :like ESCAPE '!' OR u.display_name LIKE :like ESCAPE '!')", { id, like })
      .orderBy('u.id', 'DESC')
      .take(limit)
      .getMany();
  }

  async maxId(): Promise<number> {
    const rows: Array<{ id: number | string | null }> = await this.db.source.query('SELECT MAX(id) AS id FROM users');
    return Number(rows[0]?.id ?? 0);
  }

  /**
   * Creates a user, optionally its default token and the inviter's credit, in one transaction;
   * the logs go in the same transaction when logs share the main database.
   * Throws the driver's unique violation when the username (or aff code, access token) is taken.
   */
  async createAccount(input: CreateAccountInput): Promise<UserEntity> {
    const sameDb = this.logsShareTransaction;
    let pendingLogs: AccountLogInput[] = [];
    const user = await this.db.transaction(async (m) => {
      const u = input.user;
      const created = await m.getRepository(UserEntity).save(
        m.getRepository(UserEntity).create({
          username: u.username,
          password: u.passwordHash,
          displayName: u.displayName,
          role: u.role,
          status: u.status ?? UserStatus.Enabled,
          email: u.email ?? '',
          githubId: u.githubId ?? '',
          wechatId: u.wechatId ?? '',
          accessToken: u.accessToken,
          quota: u.quota ?? 0,
          grantedQuota: u.quota ?? 0,
          usedQuota: 0,
          requestCount: 0,
          group: u.group ?? 'default',
          affCode: u.affCode,
          inviterId: u.inviterId ?? 0,
        }),
      );
      if (input.defaultToken) {
        const t = now();
        await m.getRepository(TokenEntity).insert({
          userId: created.id,
          key: input.defaultToken.key,
          name: input.defaultToken.name,
          status: TokenStatus.Enabled,
          createdTime: t,
          accessedTime: t,
          expiredTime: -1,
          remainQuota: 0,
          grantedQuota: 0,
          unlimitedQuota: true,
          usedQuota: 0,
          models: '',
          subnet: '',
        });
      }
      if (input.inviterCredit && input.inviterCredit.quota > 0) {
        await execAffected(m, 'UPDATE users SET quota = quota + ?, granted_quota = granted_quota + ? WHERE id = ?', [
          input.inviterCredit.quota,
          input.inviterCredit.quota,
          input.inviterCredit.inviterId,
        ]);
      }
      const logs = (input.logs ?? []).map((l) => ({ ...l, userId: l.userId || created.id }));
      if (sameDb) await this.insertLogs(m, logs, m);
      else pendingLogs = logs;
      return created;
    });
    if (pendingLogs.length) await this.insertLogs(this.db.logSource.manager, pendingLogs).catch((error) => this.onAfterCommitError(error, 'account logs'));
    return user;
  }

  /** Applies a patch; returns false when the user does not exist. */
  async update(id: number, patch: UserPatch): Promise<boolean> {
    const fields = columnsOf(patch);
    if (!Object.keys(fields).length) return (await this.findById(id)) !== null;
    const result = await this.repo.update({ id }, fields);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Applies a patch and moves the session epoch on, in one transaction, and answers the new epoch
   * (null when the user is missing or deleted): the caller's own session is re-issued under it,
   * and no concurrent change can slip between the write and the read.
   */
  async updateEndingSessions(id: number, patch: UserPatch): Promise<number | null> {
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(UserEntity);
      const result = await repo.update({ id, status: Not(UserStatus.Deleted) }, columnsOf({ ...patch, endSessions: true }));
      if ((result.affected ?? 0) === 0) return null;
      const row = await repo.findOne({ where: { id }, select: { id: true, sessionEpoch: true } });
      return row?.sessionEpoch ?? null;
    });
  }

  /**
   * Adds (or, with a negative delta, takes) quota in one conditional UPDATE; a debit never takes the
   * balance below zero. The log goes in the same transaction when logs share the main database
   * (else right after the commit), and so does the idempotency claim's answer. Returns false when
   * nothing changed (no such user, or not enough quota to take).
   */
  async addQuota(id: number, delta: number, log?: Omit<AccountLogInput, 'userId'>, idempotency?: IdempotencyClaim<true>): Promise<boolean> {
    const sameDb = this.logsShareTransaction;
    let changed: boolean;
    try {
      changed = await this.db.transaction((m) =>
        IdempotencyRepository.within(m, idempotency, async () => {
          const affected =
            delta >= 0
              ? await execAffected(m, 'UPDATE users SET quota = quota + ?, granted_quota = granted_quota + ? WHERE id = ? AND status <> ?', [delta, delta, id, UserStatus.Deleted])
              : await execAffected(m, 'UPDATE users SET quota = quota + ?, granted_quota = granted_quota + ? WHERE id = ? AND status <> ? AND quota >= ?', [
                  delta,
                  delta,
                  id,
                  UserStatus.Deleted,
                  -delta,
                ]);
          if (affected !== 1) throw new Unchanged(false);
          if (log && sameDb) await this.insertLogs(m, [{ ...log, userId: id }], m);
          return true as const;
        }),
      );
    } catch (error) {
      if (error instanceof Unchanged) return false;
      throw error;
    }
    if (log && !sameDb) await this.afterCommitLogs([{ ...log, userId: id }]);
    return changed;
  }

  /**
   * Sets the quota to an absolute value only if it still holds `expected` (optimistic check, so an
   * admin edit never silently overwrites usage recorded meanwhile). Returns false on a lost race.
   */
  async setQuota(id: number, expected: number, quota: number, log?: Omit<AccountLogInput, 'userId'>): Promise<boolean> {
    const result = await this.edit(id, {}, { expected, quota, log });
    return result.ok;
  }

  /**
   * An admin's edit in one transaction: the profile patch, then (optionally) the absolute quota
   * with its log, then the user as committed (so the answer needs no read after the commit) and
   * the idempotency claim's answer. Nothing is changed when the quota moved meanwhile.
   * Throws the driver's unique violation when the new username is taken.
   */
  async edit(id: number, patch: UserPatch, quota?: QuotaEdit, idempotency?: IdempotencyClaim<UserEntity>): Promise<EditAccountResult> {
    const sameDb = this.logsShareTransaction;
    const fields = columnsOf(patch);
    const log = quota?.log ? { ...quota.log, userId: id } : undefined;
    let user: UserEntity;
    try {
      user = await this.db.transaction((m) =>
        IdempotencyRepository.within(m, idempotency, async () => {
          const repo = m.getRepository(UserEntity);
          if (Object.keys(fields).length) await repo.update({ id }, fields);
          if (quota) {
            // granted first: MySQL evaluates SET left to right with updated values, SQLite with old ones.
            const affected = await execAffected(m, 'UPDATE users SET granted_quota = granted_quota + ? - quota, quota = ? WHERE id = ? AND quota = ?', [
              quota.quota,
              quota.quota,
              id,
              quota.expected,
            ]);
            if (affected !== 1) throw new Unchanged((await repo.existsBy({ id })) ? 'quota_changed' : 'not_found');
            if (log && sameDb) await this.insertLogs(m, [log], m);
          }
          const found = await repo.findOneBy({ id });
          if (!found) throw new Unchanged('not_found');
          return found;
        }),
      );
    } catch (error) {
      if (error instanceof Unchanged) return { ok: false, reason: error.value as 'not_found' | 'quota_changed' };
      throw error;
    }
    if (log && !sameDb) await this.afterCommitLogs([log]);
    return { ok: true, user };
  }

  /**
   * Soft-deletes (status 3, as One API's users never vanish from logs) and drops the access
   * token so it stops working at once. Returns false when the user was missing or already deleted.
   */
  async markDeleted(id: number): Promise<boolean> {
    const affected = await execAffected(this.db.manager, 'UPDATE users SET status = ?, access_token = NULL WHERE id = ? AND status <> ?', [
      UserStatus.Deleted,
      id,
      UserStatus.Deleted,
    ]);
    return affected === 1;
  }

  /** Logs on a separate log database, after the change they describe committed. */
  private async afterCommitLogs(logs: AccountLogInput[]): Promise<void> {
    await this.insertLogs(this.db.logSource.manager, logs).catch((error) => this.onAfterCommitError(error, 'account logs'));
  }

  /** Writes log lines to the logs database (One API's RecordLog / RecordTopupLog). */
  async recordLogs(logs: AccountLogInput[]): Promise<void> {
    await this.insertLogs(this.db.logSource.manager, logs);
  }

  /** `manager` writes the logs; usernames are read through `names` (the main database). */
  private async insertLogs(manager: EntityManager, logs: AccountLogInput[], names: EntityManager = this.db.manager): Promise<void> {
    if (!logs.length) return;
    const ids = [...new Set(logs.map((l) => l.userId))];
    const users = await names.getRepository(UserEntity).find({ where: ids.map((id) => ({ id })), select: { id: true, username: true } }).catch(() => []);
    const byId = new Map(users.map((u) => [u.id, u.username]));
    const t = now();
    await manager.getRepository(LogEntity).insert(
      logs.map((l) => ({
        userId: l.userId,
        createdAt: t,
        type: l.type,
        content: l.content,
        username: byId.get(l.userId) ?? '',
        quota: l.quota ?? 0,
      })),
    );
  }
}
