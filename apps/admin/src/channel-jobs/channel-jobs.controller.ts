import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { JobName } from '@oneapi/jobs';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ApiError } from '../common/api-error';
import { ok } from '../common/envelope';
import { ChannelJobsService } from './channel-jobs.service';
import { ChannelTestQueryDto } from './dtos/channel-test-query.dto';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiIdParam, ApiNoBody, ApiPlainOk, ApiSummary } from '../openapi/api-docs.decorators';
import { ChannelBalanceResultDoc, ChannelJobsDoc, ChannelTestResultDoc, JobStartedDoc } from '../openapi/api-models';

const channelId = new ParseIntPipe({ exceptionFactory: () => ApiError.badRequest('id: must be a channel id') });

/**
 * One API's channel test and balance routes (controller/channel-test.go, channel-billing.go).
 * They change state but stay GET as in One API, and also answer POST (one handler per verb:
 * Nest keeps only the last route decorator of a method).
 */
@ApiTags('channel-jobs')
@ApiAuth(Role.Admin)
@Controller('api/channel')
@Auth(Role.Admin)
export class ChannelJobsController {
  constructor(private readonly jobs: ChannelJobsService) {}

  /** Starts a test of every channel; answers at once. 409 while one is running. */
  @ApiSummary('Start a test of every channel', 'Answers at once; follow the run at GET /api/channel/jobs.')
  @ApiEnvelope(JobStartedDoc, 'Run started')
  @ApiErrors(409, 503)
  @Get('test')
  async testAll() {
    const runId = await this.jobs.startAll(JobName.ChannelTestAll);
    return ok({ run_id: runId }, 'testing all channels; see GET /api/channel/jobs for progress');
  }

  @ApiSummary('Start a test of every channel (POST twin)')
  @ApiNoBody()
  @ApiEnvelope(JobStartedDoc, 'Run started')
  @ApiErrors(409, 503)
  @Post('test')
  @HttpCode(200)
  testAllPost() {
    return this.testAll();
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
  @ApiPlainOk(ChannelTestResultDoc, 'Test finished')
  @ApiErrors(400, 404)
  @Get('test/:id')
  async testOne(@Param('id', channelId) id: number, @Query() query: ChannelTestQueryDto, @CurrentUser() caller: AuthedUser) {
    const r = await this.jobs.testOne(id, query.model);
    const message = caller.role >= Role.Root ? r.message : r.publicMessage;
    return { success: r.success, message, time: r.time, model: r.model, status: r.status, error_class: r.errorClass ?? null };
  }

  @ApiSummary('Test one channel (POST twin)')
  @ApiIdParam('Channel')
  @ApiNoBody()
  @ApiPlainOk(ChannelTestResultDoc, 'Test finished')
  @ApiErrors(400, 404)
  @Post('test/:id')
  @HttpCode(200)
  testOnePost(@Param('id', channelId) id: number, @Query() query: ChannelTestQueryDto, @CurrentUser() caller: AuthedUser) {
    return this.testOne(id, query, caller);
  }

  /** Starts a balance update of every enabled channel; answers at once. 409 while one is running. */
  @ApiSummary('Start a balance update of every enabled channel', 'Answers at once; follow the run at GET /api/channel/jobs.')
  @ApiEnvelope(JobStartedDoc, 'Run started')
  @ApiErrors(409, 503)
  @Get('update_balance')
  async updateAll() {
    const runId = await this.jobs.startAll(JobName.ChannelUpdateBalanceAll);
    return ok({ run_id: runId }, 'updating the balance of all enabled channels; see GET /api/channel/jobs for progress');
  }

  @ApiSummary('Start a balance update of every enabled channel (POST twin)')
  @ApiNoBody()
  @ApiEnvelope(JobStartedDoc, 'Run started')
  @ApiErrors(409, 503)
  @Post('update_balance')
  @HttpCode(200)
  updateAllPost() {
    return this.updateAll();
  }

  /** Reads one channel's upstream balance: One API's `{success, message, balance}` (USD). */
  @ApiSummary('Read one channel’s upstream balance', 'One API’s answer shape: `{success, message, balance}`; an upstream failure is `success: false` with HTTP 200.')
  @ApiIdParam('Channel')
  @ApiPlainOk(ChannelBalanceResultDoc, 'Balance read')
  @ApiErrors(400, 404)
  @Get('update_balance/:id')
  async updateOne(@Param('id', channelId) id: number) {
    const r = await this.jobs.updateBalanceOne(id);
    return r.success ? { success: true, message: '', balance: r.balance, currency: r.currency } : { success: false, message: r.message };
  }

  @ApiSummary('Read one channel’s upstream balance (POST twin)')
  @ApiIdParam('Channel')
  @ApiNoBody()
  @ApiPlainOk(ChannelBalanceResultDoc, 'Balance read')
  @ApiErrors(400, 404)
  @Post('update_balance/:id')
  @HttpCode(200)
  updateOnePost(@Param('id', channelId) id: number) {
    return this.updateOne(id);
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
