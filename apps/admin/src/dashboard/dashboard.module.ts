import { Module } from '@nestjs/common';
import { Database, LogRepository } from '@oneapi/data';
import { DashboardController } from './dashboard.controller';

@Module({
  controllers: [DashboardController],
  providers: [{ provide: LogRepository, useFactory: (db: Database) => new LogRepository(db), inject: [Database] }],
})
export class DashboardModule {}
