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

/** `/api/redemption/*` (admin): batches of top-up codes. */
@Controller('api/redemption')
@Auth(Role.Admin)
export class RedemptionController {
  constructor(private readonly redemptions: RedemptionService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const { items, total } = await this.redemptions.list(parsePagination(query));
    return paged(items.map(toRedemptionView), total);
  }

  @Get('search')
  async search(@Query() query: Record<string, unknown>) {
    const keyword = stringQuery(query['keyword'], 'keyword') ?? '';
    const { items, total } = await this.redemptions.search(keyword, parsePagination(query));
    return paged(items.map(toRedemptionView), total);
  }

  /** CSV of every code of a batch (`?name=`), for handing out. */
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
  async get(@Param('id') id: string) {
    return ok(toRedemptionView(await this.redemptions.get(parseId(id))));
  }

  /** Answers the new keys as `data` (One API's shape). */
  @Post()
  @HttpCode(200)
  async create(@CurrentUser() user: AuthedUser, @Body() dto: CreateRedemptionDto) {
    const rows = await this.redemptions.create(user.id, dto);
    return ok(rows.map((r) => r.key));
  }

  @Put()
  async update(@Body() dto: UpdateRedemptionDto, @Query('status_only') statusOnly?: string) {
    return ok(toRedemptionView(await this.redemptions.update(dto, !!statusOnly && statusOnly !== '0' && statusOnly !== 'false')));
  }

  @Delete(':id')
  async delete(@Param('id') id: string) {
    await this.redemptions.delete(parseId(id));
    return ok();
  }
}
