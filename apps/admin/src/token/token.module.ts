import { Module } from '@nestjs/common';
import { Database, TokenRepository } from '@oneapi/data';
import { TokenController } from './token.controller';
import { TokenService } from './token.service';

@Module({
  controllers: [TokenController],
  providers: [TokenService, { provide: TokenRepository, useFactory: (db: Database) => new TokenRepository(db), inject: [Database] }],
})
export class TokenModule {}
