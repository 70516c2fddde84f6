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
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiIdParam, ApiKeyword, ApiPagedEnvelope, ApiPaging, ApiQueryParam, ApiSummary } from '../openapi/api-docs.decorators';
import { TokenViewDoc } from '../openapi/api-models';

const ORDERS: readonly TokenOrder[] = ['id', 'remain_quota', 'used_quota'];

/** `/api/token/*`: a user's own API tokens. Someone else's token id answers 404. */
@ApiTags('token')
@ApiAuth(Role.Common)
@Controller('api/token')
@Auth(Role.Common)
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Get()
  @ApiSummary('List the caller’s tokens')
  @ApiPaging()
  @ApiQueryParam('order', 'string', 'Sort column, descending (default id).', { enum: ['id', 'remain_quota', 'used_quota'] })
  @ApiPagedEnvelope(TokenViewDoc)
  @ApiErrors(400)
  async list(@CurrentUser() user: AuthedUser, @Query() query: Record<string, unknown>) {
    const order = stringQuery(query['order'], 'order') ?? 'id';
    if (!ORDERS.includes(order as TokenOrder)) throw ApiError.badRequest(`order must be one of ${ORDERS.join(', ')}`);
    const { items, total } = await this.tokens.list(user.id, parsePagination(query), order as TokenOrder);
    return paged(items.map(toTokenView), total);
  }

  @Get('search')
  @ApiSummary('Search the caller’s tokens')
  @ApiKeyword('Part of the name, or the exact key (with or without `sk-`).')
  @ApiPaging()
  @ApiPagedEnvelope(TokenViewDoc)
  @ApiErrors(400)
  async search(@CurrentUser() user: AuthedUser, @Query() query: Record<string, unknown>) {
    const keyword = stringQuery(query['keyword'], 'keyword') ?? '';
    const { items, total } = await this.tokens.search(user.id, keyword, parsePagination(query));
    return paged(items.map(toTokenView), total);
  }

  @Get(':id')
  @ApiSummary('Get one of the caller’s tokens')
  @ApiIdParam('Token')
  @ApiEnvelope(TokenViewDoc)
  @ApiErrors(400, 404)
  async get(@CurrentUser() user: AuthedUser, @Param('id') id: string) {
    return ok(toTokenView(await this.tokens.get(user.id, parseId(id))));
  }

  @Post()
  @HttpCode(200)
  @ApiSummary('Create a token', 'Absent fields take One API’s defaults (never expires, 0 quota, every model, any address). `data.key` is the relay key without `sk-`.')
  @ApiEnvelope(TokenViewDoc, 'Created token')
  @ApiErrors(400)
  async create(@CurrentUser() user: AuthedUser, @Body() dto: CreateTokenDto) {
    return ok(toTokenView(await this.tokens.create(user.id, dto)));
  }

  @Put()
  @ApiSummary('Update one of the caller’s tokens', 'Given fields replace the token’s, absent ones are kept. With `?status_only=1` only `status` is read (an expired or exhausted token cannot be enabled).')
  @ApiQueryParam('status_only', 'string', 'Any value but empty, `0` or `false`: change only `status`.', { example: '1' })
  @ApiEnvelope(TokenViewDoc, 'Updated token')
  @ApiErrors(400, 404)
  async update(@CurrentUser() user: AuthedUser, @Body() dto: UpdateTokenDto, @Query('status_only') statusOnly?: string) {
    return ok(toTokenView(await this.tokens.update(user.id, dto, !!statusOnly && statusOnly !== '0' && statusOnly !== 'false')));
  }

  @Delete(':id')
  @ApiSummary('Delete one of the caller’s tokens')
  @ApiIdParam('Token')
  @ApiEnvelope(undefined, 'Deleted')
  @ApiErrors(400, 404)
  async delete(@CurrentUser() user: AuthedUser, @Param('id') id: string) {
    await this.tokens.delete(user.id, parseId(id));
    return ok();
  }
}
