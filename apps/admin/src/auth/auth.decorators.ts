import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import type { AuthedUser } from './auth.guard';

export const MIN_ROLE = 'oneapi:min-role';
export const ALLOW_PASSWORD_CHANGE_SESSION = 'oneapi:allow-must-change';

/** Route needs a logged-in user with at least this role (Common, Admin or Root). Routes without it are public. */
export const Auth = (role: Role = Role.Common) => SetMetadata(MIN_ROLE, role);

/** Route stays usable while root must still change the default password (self read, password change, logout). */
export const AllowDuringPasswordChange = () => SetMetadata(ALLOW_PASSWORD_CHANGE_SESSION, true);

/** The authenticated user, as re-read from the database for this request. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthedUser => {
  const req = ctx.switchToHttp().getRequest<{ user?: AuthedUser }>();
  if (!req.user) throw new Error('CurrentUser used on a route without @Auth()');
  return req.user;
});
