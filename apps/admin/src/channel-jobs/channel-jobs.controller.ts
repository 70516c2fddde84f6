import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { JobName } from '@oneapi/jobs';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ApiError } from '../common/api-error';
import { ok } from '../common/envelope';
import { ChannelJobsService } from './channel-jobs.service';
import { ChannelTestQueryDto } from './dtos/channel-test-query.dto';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiIdParam, ApiNoBody, ApiPlainOk, ApiSummary } from '../openapi/api-docs.decorators';
import { ChannelBalanceResultDoc, ChannelJobsDoc, ChannelTestResultDoc, JobStartedDoc } from '../openapi/api-models';

const channelId = new ParseIntPipe({ exceptionFactory: () => ApiError.badRequest('id: must be a channel id') });

/**
 * One API's channel test and balance routes (controller/channel-test.go, channel-billing.go).
 * They change state (run upstream requests, store results, may disable channels), so they answer
 * POST only: a GET (a prefetching link, an <img src>) answers 405 in the /api shape instead of
 * starting work. One handler per verb: Nest keeps only the last route decorator of a method.
 */
@ApiTags('channel-jobs')
@ApiAuth(Role.Admin)
@Controller('api/channel')
@Auth(Role.Admin)
export class ChannelJobsController {
  constructor(private readonly jobs: ChannelJobsService) {}

  /** Starts a test of every channel; answers at once. 409 while one is running. */
  @ApiSummary('Start a test of every channel', 'Answers at once; follow the run at GET /api/channel/jobs.')
  @ApiNoBody()
  @ApiEnvelope(JobStartedDoc, 'Run started')
  @ApiErrors(409, 503)
  @Post('test')
  @HttpCode(200)
  async testAll() {
    const runId = await this.jobs.startAll(JobName.ChannelTestAll);
    return ok({ run_id: runId }, 'testing all channels; see GET /api/channel/jobs for progress');
  }

  // Not an operation of the API: only here to refuse GET in the /api shape.
  @ApiExcludeEndpoint()
  @Get('test')
  testAllGet(): never {
    throw ApiError.methodNotAllowed('POST');
  }

  /**
   * Tests one channel and answers One API's `{success, message, time, model}` (time in seconds),
   * plus `status` and `error_class`. Only root reads the upstream's own words in `message`: a
   * channel may point at an internal address, and what it answers is not for every admin.
   */
  @ApiSummary(
    'Test one channel with a small chat request',
    'One API’s answer shape: `{success, message, time, model}` (time in seconds), plus `status` and `error_class`. An upstream failure is `success: false` with HTTP 200; its `message` quotes the upstream (sanitised) for root only.',
  )
  @ApiIdParam('Channel')
  @ApiNoBody()
  @ApiPlainOk(ChannelTestResultDoc, 'Test finished')
  @ApiErrors(400, 404)
  @Post('test/:id')
  @HttpCode(200)
  async testOne(@Param('id', channelId) id: number, @Query() query: ChannelTestQueryDto, @CurrentUser() caller: AuthedUser) {
    const r = await this.jobs.testOne(id, query.model);
    const message = caller.role >= Role.Root ? r.message : r.publicMessage;
    return { success: r.success, message, time: r.time, model: r.model, status: r.status, error_class: r.errorClass ?? null };
  }

  // Not an operation of the API: only here to refuse GET in the /api shape.
  @ApiExcludeEndpoint()
  @Get('test/:id')
  testOneGet(): never {
    throw ApiError.methodNotAllowed('POST');
  }

  /** Starts a balance update of every enabled channel; answers at once. 409 while one is running. */
  @ApiSummary('Start a balance update of every enabled channel', 'Answers at once; follow the run at GET /api/channel/jobs.')
  @ApiNoBody()
  @ApiEnvelope(JobStartedDoc, 'Run started')
  @ApiErrors(409, 503)
  @Post('update_balance')
  @HttpCode(200)
  async updateAll() {
    const runId = await this.jobs.startAll(JobName.ChannelUpdateBalanceAll);
    return ok({ run_id: runId }, 'updating the balance of all enabled channels; see GET /api/channel/jobs for progress');
  }

  // Not an operation of the API: only here to refuse GET in the /api shape.
  @ApiExcludeEndpoint()
  @Get('update_balance')
  updateAllGet(): never {
    throw ApiError.methodNotAllowed('POST');
  }

  /**
   * Reads one channel's upstream balance: One API's `{success, message, balance}` (USD). As with
   * the test, only root reads the upstream's own words when the query fails.
   */
  @ApiSummary(
    'Read one channel’s upstream balance',
    'One API’s answer shape: `{success, message, balance}`; an upstream failure is `success: false` with HTTP 200, its `message` quoting the upstream for root only.',
  )
  @ApiIdParam('Channel')
  @ApiNoBody()
  @ApiPlainOk(ChannelBalanceResultDoc, 'Balance read')
  @ApiErrors(400, 404)
  @Post('update_balance/:id')
  @HttpCode(200)
  async updateOne(@Param('id', channelId) id: number, @CurrentUser() caller: AuthedUser) {
    const r = await this.jobs.updateBalanceOne(id);
    if (r.success) return { success: true, message: '', balance: r.balance, currency: r.currency };
    return { success: false, message: caller.role >= Role.Root ? r.message : 'the balance query failed; the root user can see the upstream’s answer' };
  }

  // Not an operation of the API: only here to refuse GET in the /api shape.
  @ApiExcludeEndpoint()
  @Get('update_balance/:id')
  updateOneGet(): never {
    throw ApiError.methodNotAllowed('POST');
  }

  /** Progress and last result of the "all channels" runs. */
  @ApiSummary('Progress and last result of the all-channel runs')
  @ApiEnvelope(ChannelJobsDoc)
  @Get('jobs')
  async state() {
    const [testAll, updateAll] = await Promise.all([this.jobs.state(JobName.ChannelTestAll), this.jobs.state(JobName.ChannelUpdateBalanceAll)]);
    return ok({ driver: this.jobs.driver, test_all: testAll, update_balance_all: updateAll });
  }
}
