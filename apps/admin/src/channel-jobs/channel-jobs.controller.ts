import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { JobName } from '@oneapi/jobs';
import { Auth } from '../auth/auth.decorators';
import { ApiError } from '../common/api-error';
import { ok } from '../common/envelope';
import { ChannelJobsService } from './channel-jobs.service';
import { ChannelTestQueryDto } from './dtos/channel-test-query.dto';

const channelId = new ParseIntPipe({ exceptionFactory: () => ApiError.badRequest('id: must be a channel id') });

/**
 * One API's channel test and balance routes (controller/channel-test.go, channel-billing.go).
 * They change state but stay GET as in One API, and also answer POST (one handler per verb:
 * Nest keeps only the last route decorator of a method).
 */
@Controller('api/channel')
@Auth(Role.Admin)
export class ChannelJobsController {
  constructor(private readonly jobs: ChannelJobsService) {}

  /** Starts a test of every channel; answers at once. 409 while one is running. */
  @Get('test')
  async testAll() {
    const runId = await this.jobs.startAll(JobName.ChannelTestAll);
    return ok({ run_id: runId }, 'testing all channels; see GET /api/channel/jobs for progress');
  }

  @Post('test')
  @HttpCode(200)
  testAllPost() {
    return this.testAll();
  }

  /** Tests one channel and answers One API's `{success, message, time, model}` (time in seconds). */
  @Get('test/:id')
  async testOne(@Param('id', channelId) id: number, @Query() query: ChannelTestQueryDto) {
    const r = await this.jobs.testOne(id, query.model);
    return { success: r.success, message: r.message, time: r.time, model: r.model };
  }

  @Post('test/:id')
  @HttpCode(200)
  testOnePost(@Param('id', channelId) id: number, @Query() query: ChannelTestQueryDto) {
    return this.testOne(id, query);
  }

  /** Starts a balance update of every enabled channel; answers at once. 409 while one is running. */
  @Get('update_balance')
  async updateAll() {
    const runId = await this.jobs.startAll(JobName.ChannelUpdateBalanceAll);
    return ok({ run_id: runId }, 'updating the balance of all enabled channels; see GET /api/channel/jobs for progress');
  }

  @Post('update_balance')
  @HttpCode(200)
  updateAllPost() {
    return this.updateAll();
  }

  /** Reads one channel's upstream balance: One API's `{success, message, balance}` (USD). */
  @Get('update_balance/:id')
  async updateOne(@Param('id', channelId) id: number) {
    const r = await this.jobs.updateBalanceOne(id);
    return r.success ? { success: true, message: '', balance: r.balance, currency: r.currency } : { success: false, message: r.message };
  }

  @Post('update_balance/:id')
  @HttpCode(200)
  updateOnePost(@Param('id', channelId) id: number) {
    return this.updateOne(id);
  }

  /** Progress and last result of the "all channels" runs. */
  @Get('jobs')
  async state() {
    const [testAll, updateAll] = await Promise.all([this.jobs.state(JobName.ChannelTestAll), this.jobs.state(JobName.ChannelUpdateBalanceAll)]);
    return ok({ driver: this.jobs.driver, test_all: testAll, update_balance_all: updateAll });
  }
}
