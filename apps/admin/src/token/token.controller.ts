import { Body, Controller, HttpCode, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import type { TokenOrder } from '@oneapi/data';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ok } from '../common/envelope';
import { paged, parseId, parsePagination, stringQuery } from '../common/pagination';
import { ApiError } from '../common/api-error';
import { CreateTokenDto } from './dtos/create-token.dto';
import { UpdateTokenDto } from './dtos/update-token.dto';
import { TokenService } from './token.service';
import { toTokenView } from './token.view';

const ORDERS: readonly TokenOrder[] = ['id', 'remain_quota', 'used_quota'];

/** `/api/token/*`: a user's own API tokens. Someone else's token id answers 404. */
@Controller('api/token')
@Auth(Role.Common)
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Get()
  async list(@CurrentUser() user: AuthedUser, @Query() query: Record<string, unknown>) {
    const order = stringQuery(query['order'], 'order') ?? 'id';
    if (!ORDERS.includes(order as TokenOrder)) throw ApiError.badRequest(`order must be one of ${ORDERS.join(', ')}`);
    const { items, total } = await this.tokens.list(user.id, parsePagination(query), order as TokenOrder);
    return paged(items.map(toTokenView), total);
  }

  @Get('search')
  async search(@CurrentUser() user: AuthedUser, @Query() query: Record<string, unknown>) {
    const keyword = stringQuery(query['keyword'], 'keyword') ?? '';
    const { items, total } = await this.tokens.search(user.id, keyword, parsePagination(query));
    return paged(items.map(toTokenView), total);
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthedUser, @Param('id') id: string) {
    return ok(toTokenView(await this.tokens.get(user.id, parseId(id))));
  }

  @Post()
  @HttpCode(200)
  async create(@CurrentUser() user: AuthedUser, @Body() dto: CreateTokenDto) {
    return ok(toTokenView(await this.tokens.create(user.id, dto)));
  }

  @Put()
  async update(@CurrentUser() user: AuthedUser, @Body() dto: UpdateTokenDto, @Query('status_only') statusOnly?: string) {
    return ok(toTokenView(await this.tokens.update(user.id, dto, !!statusOnly && statusOnly !== '0' && statusOnly !== 'false')));
  }

  @Delete(':id')
  async delete(@CurrentUser() user: AuthedUser, @Param('id') id: string) {
    await this.tokens.delete(user.id, parseId(id));
    return ok();
  }
}
