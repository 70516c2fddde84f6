import { Module } from '@nestjs/common';
import { Database, LogRepository } from '@oneapi/data';
import { LogController } from './log.controller';

@Module({
  controllers: [LogController],
  providers: [{ provide: LogRepository, useFactory: (db: Database) => new LogRepository(db), inject: [Database] }],
})
export class LogModule {}
