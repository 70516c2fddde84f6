import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { UserRepository, Database } from '@oneapi/data';
import { PlatformModule, type ServiceRuntime } from '@oneapi/platform';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { createValidationPipe } from './common/validation';
import { AuthGuard } from './auth/auth.guard';
import { StatusController } from './status/status.controller';

/** Repositories from libs/data, constructed once per process. */
const repositories = [UserRepository].map((Repo) => ({ provide: Repo, useFactory: (db: Database) => new Repo(db), inject: [Database] }));

@Module({})
export class AdminModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AdminModule,
      imports: [PlatformModule.forRuntime(runtime)],
      controllers: [StatusController],
      providers: [
        ...repositories,
        { provide: APP_FILTER, useValue: new ApiExceptionFilter(runtime.logger) },
        { provide: APP_PIPE, useValue: createValidationPipe() },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
