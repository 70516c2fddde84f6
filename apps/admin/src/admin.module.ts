import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { UserRepository, Database } from '@oneapi/data';
import { LOGGER, PlatformModule, type ServiceRuntime } from '@oneapi/platform';
import type { Logger } from 'pino';
import { reportAfterCommit } from './common/after-commit';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { IdempotencyModule } from './common/idempotency';
import { createValidationPipe } from './common/validation';
import { AuthGuard } from './auth/auth.guard';
import { StatusModule } from './status/status.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { MailModule } from './mail/mail.module';
import { OptionModule } from './option/option.module';
import { UserModule } from './user/user.module';
import { AuthModule } from './auth/auth.module';
import { OAuthModule } from './oauth/oauth.module';
import { TokenModule } from './token/token.module';
import { ChannelModule } from './channel/channel.module';
import { RedemptionModule } from './redemption/redemption.module';
import { TopUpModule } from './topup/topup.module';
import { ChannelJobsModule } from './channel-jobs/channel-jobs.module';
import { LogModule } from './log/log.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { ModelModule } from './model/model.module';
import { GroupModule } from './group/group.module';

/** Repositories from libs/data, constructed once per process. */
const repositories = [UserRepository].map((Repo) => ({ provide: Repo, useFactory: (db: Database, logger: Logger) => new Repo(db, reportAfterCommit(logger)), inject: [Database, LOGGER] }));

@Module({})
export class AdminModule {
  static forRuntime(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AdminModule,
      imports: [PlatformModule.forRuntime(runtime), IdempotencyModule, ChannelJobsModule, RateLimitModule, MailModule, OptionModule, StatusModule, UserModule, AuthModule, OAuthModule, TokenModule, ChannelModule, RedemptionModule, TopUpModule, LogModule, DashboardModule, ModelModule, GroupModule],
      providers: [
        ...repositories,
        { provide: APP_FILTER, useValue: new ApiExceptionFilter(runtime.logger) },
        { provide: APP_PIPE, useValue: createValidationPipe() },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
