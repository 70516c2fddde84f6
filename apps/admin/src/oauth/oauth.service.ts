import { Inject, Injectable } from '@nestjs/common';
import { UserStatus } from '@oneapi/domain';
import { UserRepository, type UserEntity } from '@oneapi/data';
import { LOGGER, RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import type { Logger } from 'pino';
import { ApiError, ApiErrorCode } from '../common/api-error';
import { Settings } from '../option/settings';
import { UserService } from '../user/user.service';

interface GitHubUser {
  login: string;
  name: string;
  email: string;
}

const TIMEOUT_MS = 10_000;

/** GitHub OAuth and WeChat Server login/bind (One API's controller/auth/github.go and wechat.go). */
@Injectable()
export class OAuthService {
  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(UserService) private readonly accounts: UserService,
    @Inject(Settings) private readonly settings: Settings,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  // ---- GitHub ----

  /** Exchanges the code at GITHUB_OAUTH_URL and reads the account from GITHUB_API_URL. */
  async gitHubUser(code: string): Promise<GitHubUser> {
    if (!this.settings.options.GitHubOAuthEnabled) throw ApiError.forbidden('GitHub login is not enabled by the administrator');
    if (!code) throw ApiError.badRequest('code is required');
    const env = this.runtime.config.env;
    const token = await this.fetchJson<{ access_token?: string; error?: string }>(`${env.GITHUB_OAUTH_URL.replace(/\/+$/, '')}/login/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: this.settings.options.GitHubClientId, client_secret: this.settings.options.GitHubClientSecret, code }),
    }, 'GitHub');
    if (!token.access_token) throw ApiError.badRequest(`GitHub refused the code${token.error ? ` (${token.error})` : ''}`);
    const user = await this.fetchJson<{ login?: string; name?: string | null; email?: string | null }>(`${env.GITHUB_API_URL.replace(/\/+$/, '')}/user`, {
      headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/json', 'user-agent': 'one-api-ts' },
    }, 'GitHub');
    if (!user.login) throw ApiError.badRequest('GitHub returned no user, try again');
    return { login: user.login, name: user.name ?? '', email: user.email ?? '' };
  }

  /** Signs in the GitHub account's user, registering `github_<n>` when new. */
  async loginWithGitHub(gh: GitHubUser): Promise<UserEntity> {
    const existing = await this.users.findByGitHubId(gh.login);
    if (existing) return this.usable(existing);
    if (!this.settings.options.RegisterEnabled) throw ApiError.forbidden('new user registration has been disabled by the administrator');
    return this.signUp((n) => ({ username: `github_${n}`, displayName: gh.name || 'GitHub User', email: gh.email, githubId: gh.login }));
  }

  async bindGitHub(user: UserEntity, gh: GitHubUser): Promise<void> {
    const owner = await this.users.findByGitHubId(gh.login);
    if (owner && owner.id !== user.id) throw ApiError.conflict('this GitHub account is already bound to another user');
    await this.users.update(user.id, { githubId: gh.login });
    await this.accounts.publish(user.id);
  }

  // ---- WeChat ----

  /** Resolves a WeChat verification code through the WeChat Server (`WeChatServerAddress`). */
  async weChatId(code: string): Promise<string> {
    if (!this.settings.options.WeChatAuthEnabled) throw ApiError.forbidden('WeChat login is not enabled by the administrator');
    if (!code) throw ApiError.badRequest('code is required');
    const server = this.settings.options.WeChatServerAddress.replace(/\/+$/, '');
    const res = await this.fetchJson<{ success?: boolean; message?: string; data?: string }>(`${server}/api/wechat/user?code=${encodeURIComponent(code)}`, {
      headers: { authorization: this.settings.options.WeChatServerToken },
    }, 'the WeChat server');
    if (!res.success) throw ApiError.badRequest(res.message ? `WeChat: ${res.message}` : 'the WeChat code is wrong or has expired');
    if (!res.data) throw ApiError.badRequest('the WeChat code is wrong or has expired');
    return res.data;
  }

  async loginWithWeChat(wechatId: string): Promise<UserEntity> {
    const existing = await this.users.findByWeChatId(wechatId);
    if (existing) return this.usable(existing);
    if (!this.settings.options.RegisterEnabled) throw ApiError.forbidden('new user registration has been disabled by the administrator');
    return this.signUp((n) => ({ username: `wechat_${n}`, displayName: 'WeChat User', wechatId }));
  }

  async bindWeChat(user: UserEntity, wechatId: string): Promise<void> {
    const owner = await this.users.findByWeChatId(wechatId);
    if (owner && owner.id !== user.id) throw ApiError.conflict('this WeChat account is already bound to another user');
    await this.users.update(user.id, { wechatId });
    await this.accounts.publish(user.id);
  }

  // ---- shared ----

  private usable(user: UserEntity): UserEntity {
    if (user.status !== UserStatus.Enabled) throw ApiError.forbidden('this user has been disabled');
    return user;
  }

  /** One API names new users `<provider>_<max id + 1>`; retried if two sign-ups race for a name. */
  private async signUp(fields: (n: number) => { username: string; displayName: string; email?: string; githubId?: string; wechatId?: string }): Promise<UserEntity> {
    for (let attempt = 0; ; attempt++) {
      const f = fields((await this.users.maxId()) + 1 + attempt);
      try {
        return await this.accounts.createAccount({ ...f, withDefaultToken: true });
      } catch (error) {
        if (!(error instanceof ApiError && error.code === ApiErrorCode.Conflict) || attempt >= 4) throw error;
      }
    }
  }

  private async fetchJson<T>(url: string, init: RequestInit, who: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, who }, 'oauth request failed');
      throw new ApiError(ApiErrorCode.Unavailable, `cannot reach ${who}, try again later`);
    }
    try {
      return (await res.json()) as T;
    } catch {
      throw new ApiError(ApiErrorCode.Unavailable, `${who} answered something unexpected (HTTP ${res.status})`);
    }
  }
}
