import { Inject, Injectable } from '@nestjs/common';
import { LogType, Role, UserStatus } from '@oneapi/domain';
import { hashPassword, isUniqueViolation, UserRepository, verifyPassword, type AccountLogInput, type IdempotencyClaim, type QuotaEdit, type UserEntity } from '@oneapi/data';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { afterCommit } from '../common/after-commit';
import { ApiError } from '../common/api-error';
import { Settings } from '../option/settings';
import type { AdminTopUpDto } from './dtos/admin-top-up.dto';
import type { CreateUserDto } from './dtos/create-user.dto';
import type { ManageAction } from './dtos/manage-user.dto';
import type { UpdateSelfDto } from './dtos/update-self.dto';
import type { UpdateUserDto } from './dtos/update-user.dto';
import { newAccessToken, randomString } from './random';
import { toUserView, type UserView } from './user.view';

/** What any sign-up path (password, GitHub, WeChat, admin) supplies. */
export interface NewAccount {
  username: string;
  /** Plain password; absent for OAuth sign-ups (they get an unusable random one). */
  password?: string;
  displayName?: string;
  email?: string;
  githubId?: string;
  wechatId?: string;
  /** The inviter's aff code given at registration. */
  inviterAffCode?: string;
  /** Create One API's unlimited "default" token in the same transaction. */
  withDefaultToken: boolean;
}

const TOKEN_KEY_LENGTH = 48;

/** Accounts: creation with One API's grants, self service and the admin user routes. */
@Injectable()
export class UserService {
  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(Settings) private readonly settings: Settings,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  /**
   * Tells every node's caches (relay auth) that this user changed. Runs after the change
   * committed, so a failure is logged, never answered (caches also expire on their own).
   */
  async publish(id: number): Promise<void> {
    await afterCommit(this.runtime.logger, `publish user ${id}`, () => this.runtime.bus.publish({ topic: 'user', id: String(id) }));
  }

  /**
   * One API's User.Insert: QuotaForNewUser, the invite bonuses (QuotaForInvitee to the new user,
   * QuotaForInviter to the inviter) with their logs, a fresh access token and aff code, and on
   * registration the default unlimited token, all in one transaction. 409 when the username is taken.
   */
  async createAccount(input: NewAccount): Promise<UserEntity> {
    const inviter = input.inviterAffCode ? await this.users.findByAffCode(input.inviterAffCode) : null;
    const validInviter = inviter && inviter.status === UserStatus.Enabled ? inviter : null;
    const quotaForNewUser = Math.max(0, this.settings.options.QuotaForNewUser);
    const quotaForInvitee = validInviter ? Math.max(0, this.settings.options.QuotaForInvitee) : 0;
    const quotaForInviter = validInviter ? Math.max(0, this.settings.options.QuotaForInviter) : 0;
    const logs: AccountLogInput[] = [];
    if (quotaForNewUser > 0) logs.push({ userId: 0, type: LogType.System, content: `new user bonus: ${this.settings.formatQuota(quotaForNewUser)}`, quota: quotaForNewUser });
    if (quotaForInvitee > 0) logs.push({ userId: 0, type: LogType.Topup, content: `invitation code bonus: ${this.settings.formatQuota(quotaForInvitee)}`, quota: quotaForInvitee });
    if (validInviter && quotaForInviter > 0) {
      logs.push({ userId: validInviter.id, type: LogType.Topup, content: `bonus for inviting a user: ${this.settings.formatQuota(quotaForInviter)}`, quota: quotaForInviter });
    }
    const passwordHash = await hashPassword(input.password ?? randomString(32));
    for (let attempt = 0; ; attempt++) {
      try {
        const user = await this.users.createAccount({
          user: {
            username: input.username,
            passwordHash,
            displayName: input.displayName || input.username,
            role: Role.Common,
            email: input.email ?? '',
            githubId: input.githubId ?? '',
            wechatId: input.wechatId ?? '',
            quota: quotaForNewUser + quotaForInvitee,
            accessToken: newAccessToken(),
            affCode: randomString(4),
            inviterId: validInviter?.id ?? 0,
          },
          defaultToken: input.withDefaultToken ? { key: randomString(TOKEN_KEY_LENGTH), name: 'default' } : undefined,
          inviterCredit: validInviter && quotaForInviter > 0 ? { inviterId: validInviter.id, quota: quotaForInviter } : undefined,
          logs,
        });
        if (validInviter && quotaForInviter > 0) await this.publish(validInviter.id);
        return user;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // A 4-character aff code can collide; the username cannot be retried.
        if ((await this.users.findByUsername(input.username)) || attempt >= 4) throw ApiError.conflict('username is already taken');
      }
    }
  }

  // ---- self ----

  async self(user: UserEntity): Promise<UserView> {
    return toUserView(user);
  }

  /**
   * Saves the caller's profile. A new password needs the current one (unless the session was
   * opened with root's well-known default password and may do nothing else), ends every other
   * session and replaces the access token; answers the new session epoch then, so the caller's
   * own session is re-issued under it.
   */
  async updateSelf(user: UserEntity, dto: UpdateSelfDto, options: { defaultPasswordSession: boolean }): Promise<{ epoch?: number }> {
    const profile = { username: dto.username, displayName: dto.display_name };
    if (!dto.password) {
      await this.saveProfile(user.id, profile);
      await this.publish(user.id);
      return {};
    }
    if (!options.defaultPasswordSession) {
      if (!dto.original_password) throw ApiError.badRequest('original_password is required to change the password');
      if (!(await verifyPassword(dto.original_password, user.password))) throw ApiError.forbidden('original_password is wrong');
    }
    const password = await hashPassword(dto.password);
    let epoch: number | null;
    try {
      epoch = await this.users.updateEndingSessions(user.id, { ...profile, password, accessToken: newAccessToken() });
    } catch (error) {
      if (isUniqueViolation(error)) throw ApiError.conflict('username is already taken');
      throw error;
    }
    if (epoch === null) throw ApiError.unauthenticated();
    await this.publish(user.id);
    return { epoch };
  }

  async deleteSelf(user: UserEntity): Promise<void> {
    if (user.role === Role.Root) throw ApiError.forbidden('the root user cannot be deleted');
    await this.users.markDeleted(user.id);
    await this.publish(user.id);
  }

  /** GET /api/user/token: the caller's access token, made only when the account has none yet. */
  async accessToken(user: UserEntity): Promise<string> {
    return user.accessToken || this.resetAccessToken(user);
  }

  /** POST /api/user/token: a new access token; the old one stops working at once. */
  async resetAccessToken(user: UserEntity): Promise<string> {
    const token = newAccessToken();
    await this.users.update(user.id, { accessToken: token });
    await this.publish(user.id);
    return token;
  }

  async affCode(user: UserEntity): Promise<string> {
    if (user.affCode) return user.affCode;
    for (let attempt = 0; ; attempt++) {
      const code = randomString(4);
      try {
        await this.users.update(user.id, { affCode: code });
        return code;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 4) throw error;
      }
    }
  }

  // ---- admin ----

  async list(page: number, pageSize: number): Promise<{ items: UserView[]; total: number }> {
    const { items, total } = await this.users.list(page * pageSize, pageSize);
    return { items: items.map(toUserView), total };
  }

  async search(keyword: string): Promise<UserView[]> {
    return (await this.users.search(keyword.trim())).map(toUserView);
  }

  async get(actor: UserEntity, id: number): Promise<UserView> {
    const target = await this.users.findLiveById(id);
    if (!target) throw ApiError.notFound('user not found');
    if (actor.role <= target.role && actor.role !== Role.Root) throw ApiError.forbidden('cannot view a user of the same or a higher role');
    return toUserView(target);
  }

  /** One API's CreateUser: always a common user (promote through manage). */
  async create(dto: CreateUserDto): Promise<UserView> {
    const user = await this.createAccount({ username: dto.username, password: dto.password, displayName: dto.display_name, withDefaultToken: false });
    return toUserView(user);
  }

  /**
   * Profile fields and quota in one transaction (a 409 on the quota leaves the profile as it
   * was); answers the user as committed, so nothing after the commit can fail the call.
   */
  async update(actor: UserEntity, dto: UpdateUserDto, idempotency?: IdempotencyClaim<UserEntity>): Promise<UserEntity> {
    const target = await this.users.findLiveById(dto.id);
    if (!target) throw ApiError.notFound('user not found');
    if (actor.role <= target.role && actor.role !== Role.Root) throw ApiError.forbidden('cannot update a user of the same or a higher role');
    const password = dto.password ? await hashPassword(dto.password) : undefined;
    // A password set by an admin ends the user's sessions and access token, as the user's own change does.
    const credentials = password ? { password, accessToken: newAccessToken(), endSessions: true } : {};
    const quota: QuotaEdit | undefined =
      dto.quota !== undefined && dto.quota !== target.quota
        ? {
            expected: target.quota,
            quota: dto.quota,
            log: { type: LogType.Manage, content: `admin changed the user's quota from ${this.settings.formatQuota(target.quota)} to ${this.settings.formatQuota(dto.quota)}` },
          }
        : undefined;
    let result;
    try {
      result = await this.users.edit(target.id, { username: dto.username, displayName: dto.display_name, email: dto.email, group: dto.group, ...credentials }, quota, idempotency);
    } catch (error) {
      if (isUniqueViolation(error)) throw ApiError.conflict('username is already taken');
      throw error;
    }
    if (!result.ok) {
      if (result.reason === 'not_found') throw ApiError.notFound('user not found');
      throw ApiError.conflict('the quota changed meanwhile (the user is making requests); reload and try again');
    }
    await this.publish(target.id);
    return result.user;
  }

  async delete(actor: UserEntity, id: number): Promise<void> {
    const target = await this.users.findLiveById(id);
    if (!target) throw ApiError.notFound('user not found');
    if (actor.role <= target.role) throw ApiError.forbidden('cannot delete a user of the same or a higher role');
    await this.users.markDeleted(id);
    await this.publish(id);
  }

  /** One API's ManageUser rules; answers the new `{role, status}`. */
  async manage(actor: UserEntity, username: string, action: ManageAction): Promise<{ role: number; status: number }> {
    const target = await this.users.findByUsername(username);
    if (!target || target.status === UserStatus.Deleted) throw ApiError.notFound('user not found');
    if (actor.role <= target.role && actor.role !== Role.Root) throw ApiError.forbidden('cannot manage a user of the same or a higher role');
    let role = target.role;
    let status = target.status;
    switch (action) {
      case 'disable':
        if (target.role === Role.Root) throw ApiError.forbidden('the root user cannot be disabled');
        status = UserStatus.Disabled;
        break;
      case 'enable':
        status = UserStatus.Enabled;
        break;
      case 'delete':
        if (target.role === Role.Root) throw ApiError.forbidden('the root user cannot be deleted');
        await this.users.markDeleted(target.id);
        await this.publish(target.id);
        return { role, status: UserStatus.Deleted };
      case 'promote':
        if (actor.role !== Role.Root) throw ApiError.forbidden('only root can promote users to admin');
        if (target.role >= Role.Admin) throw ApiError.conflict('the user is already an admin');
        role = Role.Admin;
        break;
      case 'demote':
        if (target.role === Role.Root) throw ApiError.forbidden('the root user cannot be demoted');
        if (target.role === Role.Common) throw ApiError.conflict('the user is already a common user');
        role = Role.Common;
        break;
      default: {
        const exhaustive: never = action;
        throw ApiError.badRequest(`unknown action ${String(exhaustive)}`);
      }
    }
    // A disable or a role change ends the sessions signed in before it (an enable revives none).
    await this.users.update(target.id, { role, status, endSessions: action !== 'enable' });
    await this.publish(target.id);
    return { role, status };
  }

  async adminTopUp(dto: AdminTopUpDto, idempotency?: IdempotencyClaim<true>): Promise<void> {
    const remark = dto.remark?.trim() || `top-up through the API: ${this.settings.formatQuota(dto.quota)}`;
    const ok = await this.users.addQuota(dto.user_id, dto.quota, { type: LogType.Topup, content: remark, quota: dto.quota }, idempotency);
    if (!ok) throw ApiError.notFound('user not found');
    await this.publish(dto.user_id);
  }

  private async saveProfile(id: number, patch: { username?: string; displayName?: string; password?: string; email?: string; group?: string }): Promise<void> {
    try {
      await this.users.update(id, patch);
    } catch (error) {
      if (isUniqueViolation(error)) throw ApiError.conflict('username is already taken');
      throw error;
    }
  }
}
