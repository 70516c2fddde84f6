import { Controller, Get, Inject } from '@nestjs/common';
import { APP_VERSION } from '@oneapi/config';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';

/** Public `GET /api/status` (One API's status payload). Placeholder until options land. */
@Controller('api')
export class StatusController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get('status')
  status() {
    return {
      success: true,
      message: '',
      data: {
        version: APP_VERSION,
        start_time: this.runtime.startedAt,
        system_name: 'One API TS',
      },
    };
  }
}
