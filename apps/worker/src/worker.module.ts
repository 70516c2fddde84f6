import { Module, type DynamicModule } from '@nestjs/common';
import type { JobsOptions } from '@oneapi/jobs';
import { PlatformModule, type ServiceRuntime } from '@oneapi/platform';
import { JobRunnerService, WORKER_JOBS_OPTIONS } from './job-runner.service';

@Module({})
export class WorkerModule {
  static forRuntime(runtime: ServiceRuntime, jobs: JobsOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRuntime(runtime)],
      providers: [{ provide: WORKER_JOBS_OPTIONS, useValue: jobs }, JobRunnerService],
    };
  }
}
