import { Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Role, UserStatus } from '@oneapi/domain';
import { UserRepository } from '@oneapi/data';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { startSession } from '../auth/session';
import { ApiError } from '../common/api-error';
import { ok } from '../common/envelope';
import { CriticalRateLimit } from '../rate-limit/critical-rate-limit.guard';
import { randomString } from '../user/random';
import { OAuthService } from './oauth.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiNoBody, ApiQueryParam, ApiSummary } from '../openapi/api-docs.decorators';
import { LoginViewDoc } from '../openapi/api-models';

type Req = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

const q = (req: Req, name: string) => {
  const v = req.query[name];
  return typeof v === 'string' ? v : '';
};

/**
 * `/api/oauth/*`. The callbacks change state but stay GET as in One API (its console calls them
 * so); each also answers POST.
 */
@ApiTags('oauth')
@Controller('api/oauth')
export class OAuthController {
  constructor(
    @Inject(OAuthService) private readonly oauth: OAuthService,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UserRepository) private readonly users: UserRepository,
  ) {}

  /** A one-use `state` for the GitHub authorize URL, kept in the session. */
  @ApiSummary('A one-use `state` for the GitHub authorize URL', 'Kept in the session cookie; pass it back to GET /api/oauth/github.')
  @ApiEnvelope({ type: 'string', example: 'k3J9aQx2LmP0' })
  @Get('state')
  @CriticalRateLimit()
  state(@Req() req: Req) {
    const state = randomString(12);
    req.session.set('oauthState', state);
    return ok(state);
  }

  /** Signs in (or registers) with GitHub; with a signed-in session it binds the account instead. */
  @ApiSummary('GitHub OAuth callback: log in (or register), or bind when signed in', 'Without a session: signs in (registering a new user when RegisterEnabled) and answers the user. With a session: binds the GitHub account, answers message `bind` and no `data`.')
  @ApiQueryParam('code', 'string', 'The code GitHub redirected with.', {}, true)
  @ApiQueryParam('state', 'string', 'The value from GET /api/oauth/state.', {}, true)
  @ApiEnvelope(LoginViewDoc, 'Logged in (sets the session cookie) or bound', { dataOptional: true })
  @ApiErrors(400, 401, 403, 409, 503)
  @Get('github')
  @CriticalRateLimit()
  async github(@Req() req: Req) {
    const expected = req.session.get('oauthState');
    const state = q(req, 'state');
    if (!state || !expected || state !== expected) throw ApiError.forbidden('state is empty or does not match');
    req.session.set('oauthState', undefined);
    const gh = await this.oauth.gitHubUser(q(req, 'code'));
    const uid = req.session.get('uid');
    if (typeof uid === 'number') {
      const current = await this.users.findById(uid);
      if (!current || current.status !== UserStatus.Enabled) throw ApiError.unauthenticated();
      await this.oauth.bindGitHub(current, gh);
      return ok(undefined, 'bind');
    }
    const user = await this.oauth.loginWithGitHub(gh);
    return ok(startSession(req, user));
  }

  @ApiSummary('GitHub OAuth callback (POST twin)')
  @ApiQueryParam('code', 'string', 'The code GitHub redirected with.', {}, true)
  @ApiQueryParam('state', 'string', 'The value from GET /api/oauth/state.', {}, true)
  @ApiNoBody()
  @ApiEnvelope(LoginViewDoc, 'Logged in (sets the session cookie) or bound', { dataOptional: true })
  @ApiErrors(400, 401, 403, 409, 503)
  @Post('github')
  @HttpCode(200)
  @CriticalRateLimit()
  githubPost(@Req() req: Req) {
    return this.github(req);
  }

  @ApiSummary('WeChat login with a verification code from the WeChat server', 'Registers a new user when RegisterEnabled and the WeChat id is unknown.')
  @ApiQueryParam('code', 'string', 'Code from the WeChat official account.', {}, true)
  @ApiEnvelope(LoginViewDoc, 'Logged in (sets the session cookie)')
  @ApiErrors(400, 403, 503)
  @Get('wechat')
  @CriticalRateLimit()
  async wechat(@Req() req: Req) {
    const id = await this.oauth.weChatId(q(req, 'code'));
    const user = await this.oauth.loginWithWeChat(id);
    return ok(startSession(req, user));
  }

  @ApiSummary('WeChat login (POST twin)')
  @ApiQueryParam('code', 'string', 'Code from the WeChat official account.', {}, true)
  @ApiNoBody()
  @ApiEnvelope(LoginViewDoc, 'Logged in (sets the session cookie)')
  @ApiErrors(400, 403, 503)
  @Post('wechat')
  @HttpCode(200)
  @CriticalRateLimit()
  wechatPost(@Req() req: Req) {
    return this.wechat(req);
  }

  @ApiSummary('Bind a WeChat account to the caller')
  @ApiAuth(Role.Common)
  @ApiQueryParam('code', 'string', 'Code from the WeChat official account.', {}, true)
  @ApiEnvelope(undefined, 'Bound')
  @ApiErrors(400, 409, 503)
  @Get('wechat/bind')
  @Auth(Role.Common)
  @CriticalRateLimit()
  async wechatBind(@CurrentUser() user: AuthedUser, @Req() req: Req) {
    await this.oauth.bindWeChat(user, await this.oauth.weChatId(q(req, 'code')));
    return ok();
  }

  @ApiSummary('Bind a WeChat account to the caller (POST twin)')
  @ApiAuth(Role.Common)
  @ApiQueryParam('code', 'string', 'Code from the WeChat official account.', {}, true)
  @ApiNoBody()
  @ApiEnvelope(undefined, 'Bound')
  @ApiErrors(400, 409, 503)
  @Post('wechat/bind')
  @HttpCode(200)
  @Auth(Role.Common)
  @CriticalRateLimit()
  wechatBindPost(@CurrentUser() user: AuthedUser, @Req() req: Req) {
    return this.wechatBind(user, req);
  }

  /** `?email=&code=`: binds an address verified through /api/verification. */
  @ApiSummary('Bind an email address verified through GET /api/verification')
  @ApiAuth(Role.Common)
  @ApiQueryParam('email', 'string', 'The address.', { format: 'email' }, true)
  @ApiQueryParam('code', 'string', 'The mailed verification code.', {}, true)
  @ApiEnvelope(undefined, 'Bound')
  @ApiErrors(400, 409)
  @Get('email/bind')
  @Auth(Role.Common)
  @CriticalRateLimit()
  async emailBind(@CurrentUser() user: AuthedUser, @Req() req: Req) {
    await this.auth.bindEmail(user, q(req, 'email'), q(req, 'code'));
    return ok();
  }

  @ApiSummary('Bind a verified email address (POST twin)')
  @ApiAuth(Role.Common)
  @ApiQueryParam('email', 'string', 'The address.', { format: 'email' }, true)
  @ApiQueryParam('code', 'string', 'The mailed verification code.', {}, true)
  @ApiNoBody()
  @ApiEnvelope(undefined, 'Bound')
  @ApiErrors(400, 409)
  @Post('email/bind')
  @HttpCode(200)
  @Auth(Role.Common)
  @CriticalRateLimit()
  emailBindPost(@CurrentUser() user: AuthedUser, @Req() req: Req) {
    return this.emailBind(user, req);
  }
}
