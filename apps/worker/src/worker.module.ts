import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceRuntime } from '@oneapi/platform';

@Module({})
export class WorkerModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRuntime(runtime)],
    };
  }
}
