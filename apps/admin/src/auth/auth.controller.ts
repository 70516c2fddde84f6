import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ok } from '../common/envelope';
import { CriticalRateLimit } from '../rate-limit/critical-rate-limit.guard';
import type { LoginView } from '../user/user.view';
import { AuthService } from './auth.service';
import { EmailQuery } from './dtos/email.query';
import { LoginDto } from './dtos/login.dto';
import { RegisterDto } from './dtos/register.dto';
import { ResetPasswordDto } from './dtos/reset-password.dto';
import { startSession } from './session';
import { TurnstileCheck } from './turnstile.guard';

/** Public account routes: login, logout, register, verification mail, password reset. */
@Controller('api')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Post('user/login')
  @HttpCode(200)
  @CriticalRateLimit()
  async login(@Body() dto: LoginDto, @Req() req: FastifyRequest) {
    const user = await this.auth.login(dto.username, dto.password);
    const view: LoginView = startSession(req, user, dto.password);
    return ok(view, view.require_password_change ? 'change the default root password before anything else' : '');
  }

  /** GET like One API (its console calls it so); POST too. */
  @Get('user/logout')
  logout(@Req() req: FastifyRequest) {
    req.session.delete();
    return ok();
  }

  @Post('user/logout')
  @HttpCode(200)
  logoutPost(@Req() req: FastifyRequest) {
    return this.logout(req);
  }

  @Post('user/register')
  @HttpCode(200)
  @CriticalRateLimit()
  @TurnstileCheck()
  async register(@Body() dto: RegisterDto) {
    const user = await this.auth.register(dto);
    return ok({ id: user.id, username: user.username });
  }

  @Get('verification')
  @CriticalRateLimit()
  @TurnstileCheck()
  async verification(@Query() query: EmailQuery) {
    await this.auth.sendVerification(query.email);
    return ok();
  }

  @Get('reset_password')
  @CriticalRateLimit()
  @TurnstileCheck()
  async resetPasswordMail(@Query() query: EmailQuery) {
    await this.auth.sendPasswordReset(query.email);
    return ok();
  }

  @Post('user/reset')
  @HttpCode(200)
  @CriticalRateLimit()
  async reset(@Body() dto: ResetPasswordDto) {
    return ok(await this.auth.resetPassword(dto.email, dto.token));
  }
}
