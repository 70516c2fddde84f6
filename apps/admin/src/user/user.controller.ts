import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Put, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Role } from '@oneapi/domain';
import { AllowDuringPasswordChange, Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { renewSession } from '../auth/session-epoch';
import { ok } from '../common/envelope';
import { answerOnce, Idempotent, IdempotencyScope } from '../common/idempotency';
import type { UserEntity } from '@oneapi/data';
import { AdminTopUpDto } from './dtos/admin-top-up.dto';
import { CreateUserDto } from './dtos/create-user.dto';
import { ListUsersQuery, SearchUsersQuery } from './dtos/list-users.query';
import { ManageUserDto } from './dtos/manage-user.dto';
import { UpdateSelfDto } from './dtos/update-self.dto';
import { UpdateUserDto } from './dtos/update-user.dto';
import { UserService } from './user.service';
import { toUserView } from './user.view';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiIdParam, ApiNoBody, ApiPagedEnvelope, ApiSummary } from '../openapi/api-docs.decorators';
import { ManageResultDoc, UserViewDoc } from '../openapi/api-models';

/** `/api/user/*` self-service routes (any signed-in user). */
@ApiTags('user')
@ApiAuth(Role.Common)
@Controller('api/user')
@Auth(Role.Common)
export class UserSelfController {
  constructor(@Inject(UserService) private readonly users: UserService) {}

  @Get('self')
  @AllowDuringPasswordChange()
  @ApiSummary('The caller’s account', 'Also allowed while root must change the default password.')
  @ApiEnvelope(UserViewDoc)
  async self(@CurrentUser() user: AuthedUser) {
    return ok(await this.users.self(user));
  }

  /**
   * A new password ends every other session and the access token; this session gets a cookie
   * under the new epoch (and root's forced password change ends with it).
   */
  @Put('self')
  @AllowDuringPasswordChange()
  @ApiSummary(
    'Change the caller’s username, display name or password',
    'A new `password` needs `original_password` (not while root must still change the default one). It ends every other session and replaces the access token; a session caller gets a renewed cookie.',
  )
  @ApiEnvelope(undefined, 'Saved')
  @ApiErrors(400, 403, 409)
  async updateSelf(@CurrentUser() user: AuthedUser, @Body() dto: UpdateSelfDto, @Req() req: FastifyRequest) {
    const defaultPasswordSession = !user.viaAccessToken && req.session.get('mustChangePassword') === true;
    const { epoch } = await this.users.updateSelf(user, dto, { defaultPasswordSession });
    if (epoch !== undefined && !user.viaAccessToken) {
      renewSession(req, epoch);
      req.session.set('mustChangePassword', undefined);
    }
    return ok();
  }

  @Delete('self')
  @ApiSummary('Delete the caller’s account (not root)', 'Ends the session.')
  @ApiEnvelope(undefined, 'Deleted')
  async deleteSelf(@CurrentUser() user: AuthedUser, @Req() req: FastifyRequest) {
    await this.users.deleteSelf(user);
    if (!user.viaAccessToken) req.session.delete();
    return ok();
  }

  /**
   * One API generates a new token on this GET. Here the GET only reads (a link on another site
   * must not replace anyone's token), making one only for an account that has none, so One
   * API's console and scripts still get a working token from it; POST replaces it.
   */
  @Get('token')
  @ApiSummary('The caller’s system access token', 'Use it as `Authorization: Bearer <token>` on /api. Made on first call; POST /api/user/token replaces it.')
  @ApiEnvelope({ type: 'string', example: '3f9c0a7d2b6e4f1a8c5d9e0b7a6f3c2d' }, 'The access token')
  async accessToken(@CurrentUser() user: AuthedUser) {
    return ok(await this.users.accessToken(user));
  }

  @Post('token')
  @HttpCode(200)
  @ApiSummary('Reset the system access token', 'Answers a new token; the previous one stops working at once. Sessions stay signed in.')
  @ApiNoBody()
  @ApiEnvelope({ type: 'string', example: '3f9c0a7d2b6e4f1a8c5d9e0b7a6f3c2d' }, 'The new access token')
  async resetAccessToken(@CurrentUser() user: AuthedUser) {
    return ok(await this.users.resetAccessToken(user));
  }

  @Get('aff')
  @ApiSummary('The caller’s invitation code (created on first call)')
  @ApiEnvelope({ type: 'string', example: 'a1b2' })
  async aff(@CurrentUser() user: AuthedUser) {
    return ok(await this.users.affCode(user));
  }
}

/** `/api/user/*` admin routes (role ≥ admin). */
@ApiTags('user')
@ApiAuth(Role.Admin)
@Controller('api/user')
@Auth(Role.Admin)
export class UserAdminController {
  constructor(@Inject(UserService) private readonly users: UserService) {}

  /** One API's list; `total` is added beside `data` so `data` stays the plain array its tools read. */
  @Get()
  @ApiSummary('List users', 'Newest first; `total` sits beside `data`.')
  @ApiPagedEnvelope(UserViewDoc, 'One page of users')
  @ApiErrors(400)
  async list(@Query() query: ListUsersQuery) {
    const pageSize = query.page_size ?? 10;
    const { items, total } = await this.users.list(query.p ?? 0, pageSize);
    return { ...ok(items), total };
  }

  @Get('search')
  @ApiSummary('Search users (at most 100)')
  @ApiEnvelope([UserViewDoc])
  @ApiErrors(400)
  async search(@Query() query: SearchUsersQuery) {
    return ok(await this.users.search(query.keyword ?? ''));
  }

  @Post('manage')
  @HttpCode(200)
  @ApiSummary('Disable, enable, delete, promote or demote a user', 'Admins manage only users of a lower role; only root promotes. `data` is the new role and status.')
  @ApiEnvelope(ManageResultDoc)
  @ApiErrors(400, 404, 409)
  async manage(@CurrentUser() actor: AuthedUser, @Body() dto: ManageUserDto) {
    return ok(await this.users.manage(actor, dto.username, dto.action));
  }

  @Get(':id')
  @ApiSummary('Get one user', 'Admins see only users of a lower role.')
  @ApiIdParam('User')
  @ApiEnvelope(UserViewDoc)
  @ApiErrors(400, 404)
  async get(@CurrentUser() actor: AuthedUser, @Param('id', ParseIntPipe) id: number) {
    return ok(await this.users.get(actor, id));
  }

  @Post()
  @HttpCode(200)
  @ApiSummary('Create a common user')
  @ApiEnvelope(UserViewDoc, 'Created user')
  @ApiErrors(400, 409)
  async create(@Body() dto: CreateUserDto) {
    return ok(await this.users.create(dto));
  }

  @Put()
  @Idempotent()
  @ApiSummary('Update a user', 'Role and status change through POST /api/user/manage. With `Idempotency-Key`, a retry answers the first result and changes nothing.')
  @ApiEnvelope(UserViewDoc, 'Updated user')
  @ApiErrors(400, 404, 409)
  async update(@CurrentUser() actor: AuthedUser, @Body() dto: UpdateUserDto, @IdempotencyScope() scope?: string) {
    const answer = (user: UserEntity) => ok(toUserView(user));
    return answer(await this.users.update(actor, dto, answerOnce(scope, answer)));
  }

  @Delete(':id')
  @ApiSummary('Delete a user (not root)')
  @ApiIdParam('User')
  @ApiEnvelope(undefined, 'Deleted')
  @ApiErrors(400, 404)
  async remove(@CurrentUser() actor: AuthedUser, @Param('id', ParseIntPipe) id: number) {
    await this.users.delete(actor, id);
    return ok();
  }
}

/** `POST /api/topup {user_id, quota, remark}` (One API's AdminTopUp). */
@ApiTags('user')
@ApiAuth(Role.Admin)
@Controller('api/topup')
@Auth(Role.Admin)
export class AdminTopUpController {
  constructor(@Inject(UserService) private readonly users: UserService) {}

  @Post()
  @HttpCode(200)
  @Idempotent()
  @ApiSummary('Credit a user’s quota (writes a top-up log)', 'With `Idempotency-Key`, a retry answers the first result and credits nothing.')
  @ApiEnvelope(undefined, 'Credited')
  @ApiErrors(400, 404)
  async topUp(@Body() dto: AdminTopUpDto, @IdempotencyScope() scope?: string) {
    const answer = () => ok();
    await this.users.adminTopUp(dto, answerOnce(scope, answer));
    return answer();
  }
}
