import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceRuntime } from '@oneapi/platform';
import { RootController } from './root.controller';

@Module({})
export class RelayModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: RelayModule,
      imports: [PlatformModule.forRuntime(runtime)],
      controllers: [RootController],
    };
  }
}
