import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceRuntime } from '@oneapi/platform';
import { StatusController } from './status/status.controller';

@Module({})
export class AdminModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AdminModule,
      imports: [PlatformModule.forRuntime(runtime)],
      controllers: [StatusController],
    };
  }
}
