import { Module } from '@nestjs/common';
import { Database, RedemptionRepository } from '@oneapi/data';
import { TopUpController } from './topup.controller';
import { TopUpService } from './topup.service';

@Module({
  controllers: [TopUpController],
  providers: [TopUpService, { provide: RedemptionRepository, useFactory: (db: Database) => new RedemptionRepository(db), inject: [Database] }],
})
export class TopUpModule {}
