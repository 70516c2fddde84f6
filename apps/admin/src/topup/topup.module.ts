import { Module } from '@nestjs/common';
import { Database, RedemptionRepository } from '@oneapi/data';
import { LOGGER } from '@oneapi/platform';
import type { Logger } from 'pino';
import { reportAfterCommit } from '../common/after-commit';
import { TopUpController } from './topup.controller';
import { TopUpService } from './topup.service';

@Module({
  controllers: [TopUpController],
  providers: [TopUpService, { provide: RedemptionRepository, useFactory: (db: Database, logger: Logger) => new RedemptionRepository(db, reportAfterCommit(logger)), inject: [Database, LOGGER] }],
})
export class TopUpModule {}
