import { Module } from '@nestjs/common';
import { ChannelJobsController } from './channel-jobs.controller';
import { ChannelJobsService } from './channel-jobs.service';

/** `/api/channel/test*`, `/api/channel/update_balance*` and `/api/channel/jobs`. */
@Module({
  controllers: [ChannelJobsController],
  providers: [ChannelJobsService],
  exports: [ChannelJobsService],
})
export class ChannelJobsModule {}
