import { Inject, Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { BullJobWorker, BullJobQueue, PROCESSORS, createJobContext, createRunStore, scheduleRepeatingJobs, type JobsOptions } from '@oneapi/jobs';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';

/** Options the worker app is built with (tests pass a unique BullMQ prefix). */
export const WORKER_JOBS_OPTIONS = Symbol('WORKER_JOBS_OPTIONS');

/**
 * Starts the BullMQ consumer when the app boots and, on a master node, installs the repeating
 * jobs (CHANNEL_TEST_FREQUENCY, CHANNEL_UPDATE_FREQUENCY, log retention). On shutdown the
 * consumer stops taking jobs and the current one finishes before the process exits.
 */
@Injectable()
export class JobRunnerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: BullJobWorker | undefined;

  constructor(
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(WORKER_JOBS_OPTIONS) private readonly options: JobsOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { runtime, options } = this;
    const redisUrl = runtime.config.redisUrl as string;
    const ctx = createJobContext(runtime, createRunStore(runtime, options.prefix), options);
    this.worker = new BullJobWorker({ redisUrl, prefix: options.prefix, ctx, processors: options.processors ?? PROCESSORS, logger: runtime.logger, metrics: runtime.metrics });
    await this.worker.ready();
    if (runtime.config.isMaster) {
      const producer = new BullJobQueue({ redisUrl, prefix: options.prefix }, options.retry);
      try {
        const scheduled = await scheduleRepeatingJobs(producer, runtime.config);
        runtime.logger.info({ scheduled: scheduled.map((j) => ({ job: j.name, every_ms: j.everyMs })) }, 'repeating jobs scheduled');
      } finally {
        await producer.close();
      }
    }
    runtime.logger.info('job worker started');
  }

  /** Current job finishes first (BullMQ Worker.close waits for it). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }
}
