import { Module } from '@nestjs/common';
import { Database, UserRepository } from '@oneapi/data';
import { AdminTopUpController, UserAdminController, UserSelfController } from './user.controller';
import { UserService } from './user.service';

/** Accounts: self service, admin user management and admin top-up. */
@Module({
  controllers: [UserSelfController, UserAdminController, AdminTopUpController],
  providers: [{ provide: UserRepository, useFactory: (db: Database) => new UserRepository(db), inject: [Database] }, UserService],
  exports: [UserService, UserRepository],
})
export class UserModule {}
