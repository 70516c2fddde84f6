import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Role, UserStatus } from '@oneapi/domain';
import { UserRepository } from '@oneapi/data';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { FromOwnPage } from '../auth/request-origin';
import { beginSession, sessionEpochOf } from '../auth/session-epoch';
import { ApiError } from '../common/api-error';
import { ok } from '../common/envelope';
import { CriticalRateLimit } from '../rate-limit/critical-rate-limit.guard';
import { randomString } from '../user/random';
import { BindEmailCodeDto, BindEmailDto } from './dtos/email-bind.dto';
import { GitHubCallbackDto, WeChatCodeDto } from './dtos/oauth-code.dto';
import { OAuthService } from './oauth.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiSummary } from '../openapi/api-docs.decorators';
import { LoginViewDoc } from '../openapi/api-models';

/** How long a GitHub `state` from GET /api/oauth/state stays good. */
const STATE_TTL_MS = 10 * 60_000;

/**
 * `/api/oauth/*`. Unlike One API, every route that signs in or binds is POST with a JSON body:
 * a GET (or a form post) from another site must not sign anyone in or bind anything to a
 * signed-in account. Only the `state` nonce stays GET.
 */
@ApiTags('oauth')
@Controller('api/oauth')
export class OAuthController {
  constructor(
    @Inject(OAuthService) private readonly oauth: OAuthService,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UserRepository) private readonly users: UserRepository,
  ) {}

  /** A one-use `state` for the GitHub authorize URL, kept (with its expiry) in the session. */
  @ApiSummary('A one-use `state` for the GitHub authorize URL', 'Kept in the session cookie for 10 minutes; pass it back to POST /api/oauth/github.')
  @ApiEnvelope({ type: 'string', example: 'k3J9aQx2LmP0' })
  @Get('state')
  @CriticalRateLimit()
  state(@Req() req: FastifyRequest) {
    const state = randomString(12);
    req.session.set('oauthState', `${state}.${Date.now() + STATE_TTL_MS}`);
    return ok(state);
  }

  /** Signs in (or registers) with GitHub; with a signed-in session it binds the account instead. */
  @ApiSummary('GitHub OAuth callback: log in (or register), or bind when signed in', 'Without a session: signs in (registering a new user when RegisterEnabled) and answers the user. With a session: binds the GitHub account, answers message `bind` and no `data`.')
  @ApiEnvelope(LoginViewDoc, 'Logged in (sets the session cookie) or bound', { dataOptional: true })
  @ApiErrors(400, 401, 403, 409, 503)
  @Post('github')
  @HttpCode(200)
  @FromOwnPage()
  @CriticalRateLimit()
  async github(@Req() req: FastifyRequest, @Body() dto: GitHubCallbackDto) {
    const [expected, expiresAt] = (req.session.get('oauthState') ?? '').split('.');
    req.session.set('oauthState', undefined);
    if (!dto.state || !expected || dto.state !== expected || !(Number(expiresAt) > Date.now())) throw ApiError.forbidden('state is empty, expired or does not match');
    const gh = await this.oauth.gitHubUser(dto.code);
    const uid = req.session.get('uid');
    if (typeof uid === 'number') {
      const current = await this.users.findById(uid);
      if (!current || current.status !== UserStatus.Enabled || sessionEpochOf(req) !== current.sessionEpoch) throw ApiError.unauthenticated();
      await this.oauth.bindGitHub(current, gh);
      return ok(undefined, 'bind');
    }
    const user = await this.oauth.loginWithGitHub(gh);
    return ok(beginSession(req, user));
  }

  @ApiSummary('WeChat login with a verification code from the WeChat server', 'Registers a new user when RegisterEnabled and the WeChat id is unknown.')
  @ApiEnvelope(LoginViewDoc, 'Logged in (sets the session cookie)')
  @ApiErrors(400, 403, 503)
  @Post('wechat')
  @HttpCode(200)
  @FromOwnPage()
  @CriticalRateLimit()
  async wechat(@Req() req: FastifyRequest, @Body() dto: WeChatCodeDto) {
    const id = await this.oauth.weChatId(dto.code);
    const user = await this.oauth.loginWithWeChat(id);
    return ok(beginSession(req, user));
  }

  @ApiSummary('Bind a WeChat account to the caller')
  @ApiAuth(Role.Common)
  @ApiEnvelope(undefined, 'Bound')
  @ApiErrors(400, 409, 503)
  @Post('wechat/bind')
  @HttpCode(200)
  @Auth(Role.Common)
  @CriticalRateLimit()
  async wechatBind(@CurrentUser() user: AuthedUser, @Body() dto: WeChatCodeDto) {
    await this.oauth.bindWeChat(user, await this.oauth.weChatId(dto.code));
    return ok();
  }

  @ApiSummary('Mail a code for binding an email address to the caller', 'The code binds this address to this user only (POST /api/oauth/email/bind), once, within 10 minutes, and not after the user’s sessions were ended.')
  @ApiAuth(Role.Common)
  @ApiEnvelope(undefined, 'Mail sent')
  @ApiErrors(400, 403, 409, 503)
  @Post('email/verification')
  @HttpCode(200)
  @Auth(Role.Common)
  @CriticalRateLimit()
  async emailCode(@CurrentUser() user: AuthedUser, @Body() dto: BindEmailCodeDto) {
    await this.auth.sendBindCode(user, dto.email);
    return ok();
  }

  @ApiSummary('Bind an email address with the code POST /api/oauth/email/verification mailed')
  @ApiAuth(Role.Common)
  @ApiEnvelope(undefined, 'Bound')
  @ApiErrors(400, 409)
  @Post('email/bind')
  @HttpCode(200)
  @Auth(Role.Common)
  @CriticalRateLimit()
  async emailBind(@CurrentUser() user: AuthedUser, @Body() dto: BindEmailDto) {
    await this.auth.bindEmail(user, dto.email, dto.code);
    return ok();
  }
}
