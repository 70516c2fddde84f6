import { Global, Module } from '@nestjs/common';
import { OptionController } from './option.controller';
import { OptionService } from './option.service';
import { Settings } from './settings';

/** Root option routes, and the typed `Settings` view every admin feature reads (global). */
@Global()
@Module({
  controllers: [OptionController],
  providers: [OptionService, Settings],
  exports: [OptionService, Settings],
})
export class OptionModule {}
