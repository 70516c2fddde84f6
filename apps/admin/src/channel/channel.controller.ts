import { Body, Controller, HttpCode, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { Auth } from '../auth/auth.decorators';
import { ok } from '../common/envelope';
import { paged, parseId, parsePagination, stringQuery } from '../common/pagination';
import { CreateChannelDto } from './dtos/create-channel.dto';
import { UpdateChannelDto } from './dtos/update-channel.dto';
import { ChannelService } from './channel.service';
import { toChannelView } from './channel.view';
import { channelTypesWithEndpoints } from './channel-types.view';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiIdParam, ApiKeyword, ApiPagedEnvelope, ApiPaging, ApiPlainOk, ApiSummary } from '../openapi/api-docs.decorators';
import { ChannelCreatedDoc, ChannelModelListDoc, ChannelViewDoc } from '../openapi/api-models';

/** `/api/channel/*` (admin): channels with keys masked. Tests and balance updates live elsewhere. */
@ApiTags('channel')
@ApiAuth(Role.Admin)
@Controller('api/channel')
@Auth(Role.Admin)
export class ChannelController {
  constructor(private readonly channels: ChannelService) {}

  @Get()
  @ApiSummary('List channels (keys masked)', 'Newest first.')
  @ApiPaging()
  @ApiPagedEnvelope(ChannelViewDoc)
  @ApiErrors(400)
  async list(@Query() query: Record<string, unknown>) {
    const { items, total } = await this.channels.list(parsePagination(query));
    return paged(items.map(toChannelView), total);
  }

  @Get('search')
  @ApiSummary('Search channels')
  @ApiKeyword('Matches the id, or part of the name, base URL, models or group.')
  @ApiPaging()
  @ApiPagedEnvelope(ChannelViewDoc)
  @ApiErrors(400)
  async search(@Query() query: Record<string, unknown>) {
    const keyword = stringQuery(query['keyword'], 'keyword') ?? '';
    const { items, total } = await this.channels.search(keyword, parsePagination(query));
    return paged(items.map(toChannelView), total);
  }

  /** One API's ListAllModels answers `{object: 'list', data}`; the envelope fields are added for this API's clients. */
  @ApiSummary('Every model name the channel forms offer', 'One API’s ListAllModels: `{object: "list", data}` plus `success` and `message`.')
  @ApiPlainOk(ChannelModelListDoc)
  @Get('models')
  models() {
    return { success: true, message: '', object: 'list', data: this.channels.configurableModels() };
  }

  @ApiSummary('Every channel type with the relay endpoints it serves', 'The registry the channel form shows: id, name, description, whether the relay implements the type, and `endpoints`, the /v1 paths its adapter serves.')
  @ApiEnvelope({
    type: 'array',
    items: { type: 'object' },
    example: [{ id: 35, name: 'Cohere', description: 'Cohere rerank', implemented: true, endpoints: ['/v1/rerank'] }],
  })
  @Get('types')
  types() {
    return ok(channelTypesWithEndpoints());
  }

  @Get(':id')
  @ApiSummary('Get one channel (key masked)')
  @ApiIdParam('Channel')
  @ApiEnvelope(ChannelViewDoc)
  @ApiErrors(400, 404)
  async get(@Param('id') id: string) {
    return ok(toChannelView(await this.channels.get(parseId(id))));
  }

  @Post()
  @HttpCode(200)
  @ApiSummary('Create channels', 'A `key` with several lines creates one channel per line; `data.ids` lists them.')
  @ApiEnvelope(ChannelCreatedDoc, 'Created')
  @ApiErrors(400)
  async create(@Body() dto: CreateChannelDto) {
    const ids = await this.channels.create(dto);
    return ok({ ids, count: ids.length });
  }

  @Put()
  @ApiSummary('Update a channel', 'Only the given fields change; an empty or absent `key`, or the masked key GET returned, keeps the stored key.')
  @ApiEnvelope(ChannelViewDoc, 'Updated channel')
  @ApiErrors(400, 404)
  async update(@Body() dto: UpdateChannelDto) {
    return ok(toChannelView(await this.channels.update(dto)));
  }

  @Delete('disabled')
  @ApiSummary('Delete every disabled channel (manually or automatically)', '`data` is how many were deleted.')
  @ApiEnvelope({ type: 'integer', example: 3, description: 'Channels deleted.' })
  async deleteDisabled() {
    return ok(await this.channels.deleteDisabled());
  }

  @Delete(':id')
  @ApiSummary('Delete a channel')
  @ApiIdParam('Channel')
  @ApiEnvelope(undefined, 'Deleted')
  @ApiErrors(400, 404)
  async delete(@Param('id') id: string) {
    await this.channels.delete(parseId(id));
    return ok();
  }
}
