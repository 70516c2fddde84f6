import { Body, Controller, HttpCode, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { Auth } from '../auth/auth.decorators';
import { ok } from '../common/envelope';
import { paged, parseId, parsePagination, stringQuery } from '../common/pagination';
import { CreateChannelDto } from './dtos/create-channel.dto';
import { UpdateChannelDto } from './dtos/update-channel.dto';
import { ChannelService } from './channel.service';
import { toChannelView } from './channel.view';

/** `/api/channel/*` (admin): channels with keys masked. Tests and balance updates live elsewhere. */
@Controller('api/channel')
@Auth(Role.Admin)
export class ChannelController {
  constructor(private readonly channels: ChannelService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const { items, total } = await this.channels.list(parsePagination(query));
    return paged(items.map(toChannelView), total);
  }

  @Get('search')
  async search(@Query() query: Record<string, unknown>) {
    const keyword = stringQuery(query['keyword'], 'keyword') ?? '';
    const { items, total } = await this.channels.search(keyword, parsePagination(query));
    return paged(items.map(toChannelView), total);
  }

  /** One API's ListAllModels answers `{object: 'list', data}`; the envelope fields are added for this API's clients. */
  @Get('models')
  models() {
    return { success: true, message: '', object: 'list', data: this.channels.configurableModels() };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return ok(toChannelView(await this.channels.get(parseId(id))));
  }

  @Post()
  @HttpCode(200)
  async create(@Body() dto: CreateChannelDto) {
    const ids = await this.channels.create(dto);
    return ok({ ids, count: ids.length });
  }

  @Put()
  async update(@Body() dto: UpdateChannelDto) {
    return ok(toChannelView(await this.channels.update(dto)));
  }

  @Delete('disabled')
  async deleteDisabled() {
    return ok(await this.channels.deleteDisabled());
  }

  @Delete(':id')
  async delete(@Param('id') id: string) {
    await this.channels.delete(parseId(id));
    return ok();
  }
}
