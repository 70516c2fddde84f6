import { Module } from '@nestjs/common';
import { Database, RedemptionRepository } from '@oneapi/data';
import { RedemptionController } from './redemption.controller';
import { RedemptionService } from './redemption.service';

@Module({
  controllers: [RedemptionController],
  providers: [RedemptionService, { provide: RedemptionRepository, useFactory: (db: Database) => new RedemptionRepository(db), inject: [Database] }],
})
export class RedemptionModule {}
