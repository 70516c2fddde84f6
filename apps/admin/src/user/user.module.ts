import { Module } from '@nestjs/common';
import { Database, UserRepository } from '@oneapi/data';
import { LOGGER } from '@oneapi/platform';
import type { Logger } from 'pino';
import { reportAfterCommit } from '../common/after-commit';
import { AdminTopUpController, UserAdminController, UserSelfController } from './user.controller';
import { UserService } from './user.service';

/** Accounts: self service, admin user management and admin top-up. */
@Module({
  controllers: [UserSelfController, UserAdminController, AdminTopUpController],
  providers: [{ provide: UserRepository, useFactory: (db: Database, logger: Logger) => new UserRepository(db, reportAfterCommit(logger)), inject: [Database, LOGGER] }, UserService],
  exports: [UserService, UserRepository],
})
export class UserModule {}
