/**
 * @oneapi/jobs — background jobs: names and payloads, processors, and two drivers behind one
 * `JobQueue` interface (BullMQ on Redis for distributed mode, in-process for embedded mode).
 *
 *   const runs = createRunStore(runtime);
 *   const ctx = createJobContext(runtime, runs);
 *   const queue = createJobQueue(runtime, ctx);          // producer (admin/relay)
 *   await queue.enqueue(JobName.ChannelTestAll, { runId });
 *   new BullJobWorker({ redisUrl, ctx, processors: PROCESSORS, logger });   // apps/worker only
 */
export * from './job-names';
export * from './job-context';
export * from './job-options';
export * from './run-store';
export * from './processors';
export * from './drivers/job-queue';
export * from './drivers/bullmq.driver';
export * from './drivers/in-process.driver';
export * from './runtime-jobs';
