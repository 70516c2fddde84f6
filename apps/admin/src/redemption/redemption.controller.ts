import { Body, Controller, HttpCode, Delete, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Role } from '@oneapi/domain';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ApiError } from '../common/api-error';
import { ok } from '../common/envelope';
import { paged, parseId, parsePagination, stringQuery } from '../common/pagination';
import { CreateRedemptionDto } from './dtos/create-redemption.dto';
import { UpdateRedemptionDto } from './dtos/update-redemption.dto';
import { RedemptionService } from './redemption.service';
import { redemptionsCsv, toRedemptionView } from './redemption.view';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiIdParam, ApiKeyword, ApiPagedEnvelope, ApiPaging, ApiQueryParam, ApiSummary } from '../openapi/api-docs.decorators';
import { RedemptionViewDoc } from '../openapi/api-models';

/** `/api/redemption/*` (admin): batches of top-up codes. */
@ApiTags('redemption')
@ApiAuth(Role.Admin)
@Controller('api/redemption')
@Auth(Role.Admin)
export class RedemptionController {
  constructor(private readonly redemptions: RedemptionService) {}

  @Get()
  @ApiSummary('List redemption codes', 'Newest first.')
  @ApiPaging()
  @ApiPagedEnvelope(RedemptionViewDoc)
  @ApiErrors(400)
  async list(@Query() query: Record<string, unknown>) {
    const { items, total } = await this.redemptions.list(parsePagination(query));
    return paged(items.map(toRedemptionView), total);
  }

  @Get('search')
  @ApiSummary('Search redemption codes')
  @ApiKeyword('Matches the id, the exact key, or part of the name.')
  @ApiPaging()
  @ApiPagedEnvelope(RedemptionViewDoc)
  @ApiErrors(400)
  async search(@Query() query: Record<string, unknown>) {
    const keyword = stringQuery(query['keyword'], 'keyword') ?? '';
    const { items, total } = await this.redemptions.search(keyword, parsePagination(query));
    return paged(items.map(toRedemptionView), total);
  }

  /** CSV of every code of a batch (`?name=`), for handing out. */
  @ApiSummary('Export every code of a batch as CSV', 'Columns: id,name,key,quota,status,created_time,redeemed_time,used_by.')
  @ApiQueryParam('name', 'string', 'Batch name.', { maxLength: 64 }, true)
  @ApiResponse({ status: 200, description: 'CSV attachment', content: { 'text/csv': { schema: { type: 'string', example: 'id,name,key,quota,status,created_time,redeemed_time,used_by\r\n' } } } })
  @ApiErrors(400, 404)
  @Get('export')
  async export(@Query('name') name: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const batch = stringQuery(name, 'name', 64);
    if (!batch) throw ApiError.badRequest('name is required');
    const rows = await this.redemptions.exportBatch(batch);
    const filename = `redemptions-${batch.replace(/[^\w.-]+/g, '_')}.csv`;
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`);
    return redemptionsCsv(rows);
  }

  @Get(':id')
  @ApiSummary('Get one redemption code')
  @ApiIdParam('Redemption code')
  @ApiEnvelope(RedemptionViewDoc)
  @ApiErrors(400, 404)
  async get(@Param('id') id: string) {
    return ok(toRedemptionView(await this.redemptions.get(parseId(id))));
  }

  /** Answers the new keys as `data` (One API's shape). */
  @Post()
  @HttpCode(200)
  @ApiSummary('Create a batch of redemption codes', '`data` is the new keys.')
  @ApiEnvelope({ type: 'array', items: { type: 'string' }, example: ['4f0c2b9d6e1a4c8b9f7e3d2a1b0c9d8e'] }, 'Created')
  @ApiErrors(400)
  async create(@CurrentUser() user: AuthedUser, @Body() dto: CreateRedemptionDto) {
    const rows = await this.redemptions.create(user.id, dto);
    return ok(rows.map((r) => r.key));
  }

  @Put()
  @ApiSummary('Update a redemption code', 'With `?status_only=1` only `status` is read. A used code cannot be changed (409).')
  @ApiQueryParam('status_only', 'string', 'Any value but empty, `0` or `false`: change only `status`.', { example: '1' })
  @ApiEnvelope(RedemptionViewDoc, 'Updated code')
  @ApiErrors(400, 404, 409)
  async update(@Body() dto: UpdateRedemptionDto, @Query('status_only') statusOnly?: string) {
    return ok(toRedemptionView(await this.redemptions.update(dto, !!statusOnly && statusOnly !== '0' && statusOnly !== 'false')));
  }

  @Delete(':id')
  @ApiSummary('Delete a redemption code')
  @ApiIdParam('Redemption code')
  @ApiEnvelope(undefined, 'Deleted')
  @ApiErrors(400, 404)
  async delete(@Param('id') id: string) {
    await this.redemptions.delete(parseId(id));
    return ok();
  }
}
