import { Controller, Delete, Get, Query } from '@nestjs/common';
import { LogType, Role } from '@oneapi/domain';
import { LogRepository, type LogFilter } from '@oneapi/data';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ApiError } from '../common/api-error';
import { ok } from '../common/envelope';
import { intQuery, paged, parsePagination, stringQuery } from '../common/pagination';
import { toLogView } from './log.view';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiKeyword, ApiLogFilters, ApiPagedEnvelope, ApiPaging, ApiQueryParam, ApiSummary } from '../openapi/api-docs.decorators';
import { LogStatDoc, LogViewDoc } from '../openapi/api-models';

type QueryParams = Record<string, unknown>;

/** The filters every log route accepts; `username` and `channel` only on admin routes. */
function parseFilter(query: QueryParams, admin: boolean): LogFilter {
  const filter: LogFilter = {
    type: intQuery(query['type'], 'type', { min: LogType.Unknown, max: LogType.Test }),
    startTimestamp: intQuery(query['start_timestamp'], 'start_timestamp', { min: 0 }),
    endTimestamp: intQuery(query['end_timestamp'], 'end_timestamp', { min: 0 }),
    tokenName: stringQuery(query['token_name'], 'token_name', 64),
    modelName: stringQuery(query['model_name'], 'model_name', 128),
  };
  if (admin) {
    filter.username = stringQuery(query['username'], 'username', 64);
    filter.channelId = intQuery(query['channel'], 'channel', { min: 0 });
  }
  if (filter.startTimestamp && filter.endTimestamp && filter.startTimestamp > filter.endTimestamp) {
    throw ApiError.badRequest('start_timestamp must not be after end_timestamp');
  }
  return filter;
}

/** `/api/log/*`: users read their own logs, admins everyone's (One API's controller/log.go). */
@ApiTags('log')
@Controller('api/log')
export class LogController {
  constructor(private readonly logs: LogRepository) {}

  @ApiSummary('The caller’s logs', 'Newest first; `channel` is not included.')
  @ApiAuth(Role.Common)
  @ApiLogFilters(false)
  @ApiPaging()
  @ApiPagedEnvelope(LogViewDoc)
  @ApiErrors(400)
  @Get('self')
  @Auth(Role.Common)
  async self(@CurrentUser() user: AuthedUser, @Query() query: QueryParams) {
    const { items, total } = await this.logs.query({ ...parseFilter(query, false), userId: user.id }, parsePagination(query));
    return paged(items.map((l) => toLogView(l, false)), total);
  }

  @ApiSummary('Quota and tokens the caller consumed', 'Sums over consume logs matching the filters (`type` is ignored).')
  @ApiAuth(Role.Common)
  @ApiLogFilters(false)
  @ApiEnvelope(LogStatDoc)
  @ApiErrors(400)
  @Get('self/stat')
  @Auth(Role.Common)
  async selfStat(@CurrentUser() user: AuthedUser, @Query() query: QueryParams) {
    return ok(await this.logs.stat({ ...parseFilter(query, false), userId: user.id }));
  }

  @ApiSummary('Search the caller’s logs')
  @ApiAuth(Role.Common)
  @ApiKeyword('Part of the content, model name, token name or username.')
  @ApiPaging()
  @ApiPagedEnvelope(LogViewDoc)
  @ApiErrors(400)
  @Get('self/search')
  @Auth(Role.Common)
  async selfSearch(@CurrentUser() user: AuthedUser, @Query() query: QueryParams) {
    const keyword = stringQuery(query['keyword'], 'keyword') ?? '';
    const { items, total } = await this.logs.search(keyword, parsePagination(query), user.id);
    return paged(items.map((l) => toLogView(l, false)), total);
  }

  @ApiSummary('Every user’s logs', 'Newest first; rows include `channel`.')
  @ApiAuth(Role.Admin)
  @ApiLogFilters(true)
  @ApiPaging()
  @ApiPagedEnvelope(LogViewDoc)
  @ApiErrors(400)
  @Get()
  @Auth(Role.Admin)
  async all(@Query() query: QueryParams) {
    const { items, total } = await this.logs.query(parseFilter(query, true), parsePagination(query));
    return paged(items.map((l) => toLogView(l, true)), total);
  }

  @ApiSummary('Quota and tokens consumed by everyone', 'Sums over consume logs matching the filters (`type` is ignored).')
  @ApiAuth(Role.Admin)
  @ApiLogFilters(true)
  @ApiEnvelope(LogStatDoc)
  @ApiErrors(400)
  @Get('stat')
  @Auth(Role.Admin)
  async stat(@Query() query: QueryParams) {
    return ok(await this.logs.stat(parseFilter(query, true)));
  }

  @ApiSummary('Search every user’s logs')
  @ApiAuth(Role.Admin)
  @ApiKeyword('Part of the content, model name, token name or username.')
  @ApiPaging()
  @ApiPagedEnvelope(LogViewDoc)
  @ApiErrors(400)
  @Get('search')
  @Auth(Role.Admin)
  async search(@Query() query: QueryParams) {
    const keyword = stringQuery(query['keyword'], 'keyword') ?? '';
    const { items, total } = await this.logs.search(keyword, parsePagination(query));
    return paged(items.map((l) => toLogView(l, true)), total);
  }

  /** Deletes logs older than `target_timestamp` (unix seconds); `data` is how many. */
  @ApiSummary('Delete logs older than a time', '`data` is how many were deleted.')
  @ApiAuth(Role.Admin)
  @ApiQueryParam('target_timestamp', 'integer', 'Delete logs created before this time (unix seconds).', { minimum: 1 }, true)
  @ApiEnvelope({ type: 'integer', example: 1200, description: 'Logs deleted.' })
  @ApiErrors(400)
  @Delete()
  @Auth(Role.Admin)
  async deleteHistory(@Query() query: QueryParams) {
    const target = intQuery(query['target_timestamp'], 'target_timestamp', { min: 1 });
    if (target === undefined) throw ApiError.badRequest('target_timestamp is required');
    return ok(await this.logs.deleteBefore(target));
  }
}
