import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ok } from '../common/envelope';
import { CriticalRateLimit } from '../rate-limit/critical-rate-limit.guard';
import { LoginRateLimit } from '../rate-limit/login-rate-limit.interceptor';
import type { LoginView } from '../user/user.view';
import { AuthService } from './auth.service';
import { EmailQuery } from './dtos/email.query';
import { LoginDto } from './dtos/login.dto';
import { RegisterDto } from './dtos/register.dto';
import { ResetPasswordDto } from './dtos/reset-password.dto';
import { FromOwnPage } from './request-origin';
import { beginSession } from './session-epoch';
import { TurnstileCheck } from './turnstile.guard';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiErrors, ApiNoBody, ApiQueryParam, ApiSummary } from '../openapi/api-docs.decorators';
import { LoginViewDoc, RegisteredUserDoc } from '../openapi/api-models';

/** Public account routes: login, logout, register, verification mail, password reset. */
@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @ApiSummary('Log in with a username (or email) and password', 'Sets the session cookie. `require_password_change` is set while root still has its default password.')
  @ApiEnvelope(LoginViewDoc, 'Logged in; `Set-Cookie` carries the session')
  @ApiErrors(400, 401, 403)
  @Post('user/login')
  @HttpCode(200)
  @FromOwnPage()
  @LoginRateLimit()
  async login(@Body() dto: LoginDto, @Req() req: FastifyRequest) {
    const user = await this.auth.login(dto.username, dto.password);
    const view: LoginView = beginSession(req, user, dto.password);
    return ok(view, view.require_password_change ? 'change the default root password before anything else' : '');
  }

  /** POST only (One API's console used GET): another site must not be able to sign anyone out. */
  @ApiSummary('Log out (ends the session cookie)', 'Needs `Content-Type: application/json` or `X-Requested-With` (no cross-site forms).')
  @ApiNoBody()
  @ApiEnvelope()
  @ApiErrors(403)
  @Post('user/logout')
  @HttpCode(200)
  @FromOwnPage()
  logout(@Req() req: FastifyRequest) {
    req.session.delete();
    return ok();
  }

  @ApiSummary('Register a new user', 'Needs RegisterEnabled and PasswordRegisterEnabled; with EmailVerificationEnabled, `email` and `verification_code` too. `?turnstile=` when TurnstileCheckEnabled.')
  @ApiQueryParam('turnstile', 'string', 'Cloudflare Turnstile token; required when TurnstileCheckEnabled is on.')
  @ApiEnvelope(RegisteredUserDoc, 'Registered')
  @ApiErrors(400, 403, 409, 503)
  @Post('user/register')
  @HttpCode(200)
  @CriticalRateLimit()
  @TurnstileCheck()
  async register(@Body() dto: RegisterDto) {
    const user = await this.auth.register(dto);
    return ok({ id: user.id, username: user.username });
  }

  /**
   * GET as in One API: it needs no session and changes no account, so a request forged from
   * another site does nothing the attacker could not do by calling it directly.
   */
  @ApiSummary('Mail a registration code', 'The code is then sent as `verification_code` to POST /api/user/register; it cannot bind an address (POST /api/oauth/email/verification mails bind codes).')
  @ApiEnvelope(undefined, 'Mail sent')
  @ApiErrors(400, 403, 409, 503)
  @Get('verification')
  @CriticalRateLimit()
  @TurnstileCheck()
  async verification(@Query() query: EmailQuery) {
    await this.auth.sendVerification(query.email);
    return ok();
  }

  /** GET as in One API: public, and the link goes to the account's own address. */
  @ApiSummary('Mail a password reset link', 'The link works once, within 10 minutes, and not after a password change.')
  @ApiEnvelope(undefined, 'Mail sent')
  @ApiErrors(400, 403, 404, 503)
  @Get('reset_password')
  @CriticalRateLimit()
  @TurnstileCheck()
  async resetPasswordMail(@Query() query: EmailQuery) {
    await this.auth.sendPasswordReset(query.email);
    return ok();
  }

  @ApiSummary('Reset a password with the token from the mailed link', '`data` is the new random password. Every session and the access token of the account end.')
  @ApiEnvelope({ type: 'string', example: 'Xq8mT2pL9vRw', description: 'The new password.' }, 'Password reset')
  @ApiErrors(400)
  @Post('user/reset')
  @HttpCode(200)
  @CriticalRateLimit()
  async reset(@Body() dto: ResetPasswordDto) {
    return ok(await this.auth.resetPassword(dto.email, dto.token));
  }
}
