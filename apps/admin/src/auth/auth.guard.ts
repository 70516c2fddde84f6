import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Role, UserStatus } from '@oneapi/domain';
import { UserRepository, type UserEntity } from '@oneapi/data';
import { ApiError, ApiErrorCode } from '../common/api-error';
import { ALLOW_PASSWORD_CHANGE_SESSION, MIN_ROLE } from './auth.decorators';
import { assertFromOwnPage } from './request-origin';
import { sessionEpochOf } from './session-epoch';

export type AuthedUser = UserEntity & { viaAccessToken: boolean };

/**
 * Resolves the caller from `Authorization: <access_token>` / `Bearer <access_token>` or the
 * session cookie, re-reads role, status and session epoch from the database on every request,
 * and enforces the route's minimum role (One API's UserAuth / AdminAuth / RootAuth). A cookie
 * request must also come from the console's own page (request-origin.ts).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(UserRepository) private readonly users: UserRepository,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const minRole = this.reflector.getAllAndOverride<Role | undefined>(MIN_ROLE, [ctx.getHandler(), ctx.getClass()]);
    if (minRole === undefined) return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthedUser }>();

    let user: UserEntity | null = null;
    let viaAccessToken = false;
    const header = req.headers.authorization;
    if (header) {
      const token = header.replace(/^Bearer\s+/i, '').trim();
      user = await this.users.findByAccessToken(token);
      if (!user) throw ApiError.unauthenticated('invalid access token');
      viaAccessToken = true;
    } else {
      const uid = req.session?.get('uid');
      if (typeof uid !== 'number') throw ApiError.unauthenticated();
      assertFromOwnPage(req);
      user = await this.users.findById(uid);
      if (!user) throw ApiError.unauthenticated();
      // Read with the row on every request, so every node refuses an ended session at once.
      if (sessionEpochOf(req) !== user.sessionEpoch) {
        req.session.delete();
        throw ApiError.unauthenticated('this session has ended (the password, status or role changed): sign in again');
      }
    }
    if (user.status !== UserStatus.Enabled) {
      req.session?.delete();
      throw ApiError.forbidden('this user has been disabled');
    }
    if (!viaAccessToken && req.session?.get('mustChangePassword')) {
      const allowed = this.reflector.getAllAndOverride<boolean>(ALLOW_PASSWORD_CHANGE_SESSION, [ctx.getHandler(), ctx.getClass()]);
      if (!allowed) throw new ApiError(ApiErrorCode.PasswordChangeRequired, 'change the default root password first (PUT /api/user/self)');
    }
    if (user.role < minRole) throw ApiError.forbidden('permission denied: this needs a higher role');
    req.user = Object.assign(user, { viaAccessToken });
    return true;
  }
}
