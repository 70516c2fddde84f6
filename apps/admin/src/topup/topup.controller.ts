import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ok } from '../common/envelope';
import { TopUpDto } from './dtos/top-up.dto';
import { TopUpService } from './topup.service';

/** `POST /api/user/topup {key}`: redeem a code; `data` is the quota added (One API's answer). */
@Controller('api/user')
@Auth(Role.Common)
export class TopUpController {
  constructor(private readonly topUp: TopUpService) {}

  @Post('topup')
  @HttpCode(200)
  async redeem(@CurrentUser() user: AuthedUser, @Body() dto: TopUpDto) {
    return ok(await this.topUp.redeem(user, dto.key));
  }
}
