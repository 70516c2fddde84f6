import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  JobName,
  createJobContext,
  createJobQueue,
  createRunStore,
  newRunId,
  scheduleRepeatingJobs,
  testChannel,
  updateChannelBalance,
  type BalanceUpdateResult,
  type BatchJobName,
  type ChannelTestResult,
  type JobContext,
  type JobQueue,
  type RunState,
  type RunStore,
} from '@oneapi/jobs';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ApiError, ApiErrorCode } from '../common/api-error';

/**
 * Channel tests and balance updates for the admin API. A single channel is tested or queried
 * inline (One API answers with the result); "all channels" runs are enqueued and return at once.
 *
 * Distributed mode (REDIS_CONN_STRING): jobs go to BullMQ and apps/worker runs them.
 * Embedded mode (no Redis): this process runs them with the in-process driver, and a master
 * node also runs the repeating jobs (CHANNEL_TEST_FREQUENCY, CHANNEL_UPDATE_FREQUENCY, log
 * retention) on timers.
 */
@Injectable()
export class ChannelJobsService implements OnModuleInit, OnModuleDestroy {
  private runs!: RunStore;
  private ctx!: JobContext;
  private queue!: JobQueue;

  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  async onModuleInit(): Promise<void> {
    this.runs = createRunStore(this.runtime);
    this.ctx = createJobContext(this.runtime, this.runs);
    this.queue = createJobQueue(this.runtime, this.ctx);
    if (this.queue.driver === 'in-process') {
      const scheduled = await scheduleRepeatingJobs(this.queue, this.runtime.config);
      if (scheduled.length) this.runtime.logger.info({ scheduled: scheduled.map((j) => ({ job: j.name, every_ms: j.everyMs })) }, 'repeating jobs run in-process (embedded mode)');
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue?.close();
    await this.runs?.close();
  }

  /** The queue driver in use (tests, diagnostics). */
  get driver(): JobQueue['driver'] {
    return this.queue.driver;
  }

  async testOne(channelId: number, model?: string): Promise<ChannelTestResult> {
    const result = await testChannel(this.ctx, { channelId, model });
    if (result.notFound) throw ApiError.notFound('channel not found');
    return result;
  }

  async updateBalanceOne(channelId: number): Promise<BalanceUpdateResult> {
    const result = await updateChannelBalance(this.ctx, { channelId });
    if (result.notFound) throw ApiError.notFound('channel not found');
    return result;
  }

  /** Claims the run (refused while one is in progress), enqueues it and returns its id. */
  async startAll(kind: BatchJobName): Promise<string> {
    const runId = newRunId();
    if (!(await this.runs.claim(kind, runId))) {
      throw ApiError.conflict(kind === JobName.ChannelTestAll ? 'a test of all channels is already running' : 'a balance update of all channels is already running');
    }
    try {
      await this.queue.enqueue(kind, { runId }, { jobId: runId });
    } catch (error) {
      await this.runs.release(kind, runId).catch(() => undefined);
      this.runtime.logger.error({ err: (error as Error).message }, 'could not enqueue job');
      throw new ApiError(ApiErrorCode.Unavailable, 'the job queue is unavailable, try again later');
    }
    return runId;
  }

  state(kind: BatchJobName): Promise<RunState> {
    return this.runs.get(kind);
  }
}
