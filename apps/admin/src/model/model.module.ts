import { Module } from '@nestjs/common';
import { AbilityRepository, Database } from '@oneapi/data';
import { ModelController } from './model.controller';

@Module({
  controllers: [ModelController],
  providers: [{ provide: AbilityRepository, useFactory: (db: Database) => new AbilityRepository(db), inject: [Database] }],
})
export class ModelModule {}
