import { Module } from '@nestjs/common';
import { ChannelRepository, Database, createChannelKeyCipher } from '@oneapi/data';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { ChannelController } from './channel.controller';
import { ChannelService } from './channel.service';

@Module({
  controllers: [ChannelController],
  providers: [
    ChannelService,
    {
      provide: ChannelRepository,
      useFactory: (db: Database, runtime: ServiceRuntime) => new ChannelRepository(db, createChannelKeyCipher(runtime.config.env.CHANNEL_KEY_SECRET)),
      inject: [Database, RUNTIME],
    },
  ],
})
export class ChannelModule {}
