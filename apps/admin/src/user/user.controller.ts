import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Put, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Role } from '@oneapi/domain';
import { AllowDuringPasswordChange, Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ok } from '../common/envelope';
import { AdminTopUpDto } from './dtos/admin-top-up.dto';
import { CreateUserDto } from './dtos/create-user.dto';
import { ListUsersQuery, SearchUsersQuery } from './dtos/list-users.query';
import { ManageUserDto } from './dtos/manage-user.dto';
import { UpdateSelfDto } from './dtos/update-self.dto';
import { UpdateUserDto } from './dtos/update-user.dto';
import { UserService } from './user.service';

/** `/api/user/*` self-service routes (any signed-in user). */
@Controller('api/user')
@Auth(Role.Common)
export class UserSelfController {
  constructor(@Inject(UserService) private readonly users: UserService) {}

  @Get('self')
  @AllowDuringPasswordChange()
  async self(@CurrentUser() user: AuthedUser) {
    return ok(await this.users.self(user));
  }

  /** Changing the password ends root's forced password change for this session. */
  @Put('self')
  @AllowDuringPasswordChange()
  async updateSelf(@CurrentUser() user: AuthedUser, @Body() dto: UpdateSelfDto, @Req() req: FastifyRequest) {
    const { passwordChanged } = await this.users.updateSelf(user, dto);
    if (passwordChanged && !user.viaAccessToken) req.session.set('mustChangePassword', undefined);
    return ok();
  }

  @Delete('self')
  async deleteSelf(@CurrentUser() user: AuthedUser, @Req() req: FastifyRequest) {
    await this.users.deleteSelf(user);
    if (!user.viaAccessToken) req.session.delete();
    return ok();
  }

  /** GET like One API; POST too. Answers the new token (the old one stops working). */
  @Get('token')
  async accessToken(@CurrentUser() user: AuthedUser) {
    return ok(await this.users.generateAccessToken(user));
  }

  @Post('token')
  @HttpCode(200)
  async accessTokenPost(@CurrentUser() user: AuthedUser) {
    return this.accessToken(user);
  }

  @Get('aff')
  async aff(@CurrentUser() user: AuthedUser) {
    return ok(await this.users.affCode(user));
  }
}

/** `/api/user/*` admin routes (role ≥ admin). */
@Controller('api/user')
@Auth(Role.Admin)
export class UserAdminController {
  constructor(@Inject(UserService) private readonly users: UserService) {}

  /** One API's list; `total` is added beside `data` so `data` stays the plain array its tools read. */
  @Get()
  async list(@Query() query: ListUsersQuery) {
    const pageSize = query.page_size ?? 10;
    const { items, total } = await this.users.list(query.p ?? 0, pageSize);
    return { ...ok(items), total };
  }

  @Get('search')
  async search(@Query() query: SearchUsersQuery) {
    return ok(await this.users.search(query.keyword ?? ''));
  }

  @Post('manage')
  @HttpCode(200)
  async manage(@CurrentUser() actor: AuthedUser, @Body() dto: ManageUserDto) {
    return ok(await this.users.manage(actor, dto.username, dto.action));
  }

  @Get(':id')
  async get(@CurrentUser() actor: AuthedUser, @Param('id', ParseIntPipe) id: number) {
    return ok(await this.users.get(actor, id));
  }

  @Post()
  @HttpCode(200)
  async create(@Body() dto: CreateUserDto) {
    return ok(await this.users.create(dto));
  }

  @Put()
  async update(@CurrentUser() actor: AuthedUser, @Body() dto: UpdateUserDto) {
    return ok(await this.users.update(actor, dto));
  }

  @Delete(':id')
  async remove(@CurrentUser() actor: AuthedUser, @Param('id', ParseIntPipe) id: number) {
    await this.users.delete(actor, id);
    return ok();
  }
}

/** `POST /api/topup {user_id, quota, remark}` (One API's AdminTopUp). */
@Controller('api/topup')
@Auth(Role.Admin)
export class AdminTopUpController {
  constructor(@Inject(UserService) private readonly users: UserService) {}

  @Post()
  @HttpCode(200)
  async topUp(@Body() dto: AdminTopUpDto) {
    await this.users.adminTopUp(dto);
    return ok();
  }
}
