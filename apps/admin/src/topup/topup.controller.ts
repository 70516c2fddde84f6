import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ok } from '../common/envelope';
import { answerOnce, Idempotent, IdempotencyScope } from '../common/idempotency';
import { TopUpDto } from './dtos/top-up.dto';
import { TopUpService } from './topup.service';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiErrors, ApiSummary } from '../openapi/api-docs.decorators';

/** `POST /api/user/topup {key}`: redeem a code; `data` is the quota added (One API's answer). */
@ApiTags('topup')
@ApiAuth(Role.Common)
@Controller('api/user')
@Auth(Role.Common)
export class TopUpController {
  constructor(private readonly topUp: TopUpService) {}

  @ApiSummary('Redeem a code for quota', '`data` is the quota added. With `Idempotency-Key`, a retry answers the first result and redeems nothing.')
  @ApiEnvelope({ type: 'integer', example: 500000, description: 'Quota added.' }, 'Redeemed')
  @ApiErrors(400)
  @Post('topup')
  @HttpCode(200)
  @Idempotent()
  async redeem(@CurrentUser() user: AuthedUser, @Body() dto: TopUpDto, @IdempotencyScope() scope?: string) {
    const answer = (redeemed: { quota: number }) => ok(redeemed.quota);
    return answer(await this.topUp.redeem(user, dto.key, answerOnce(scope, answer)));
  }
}
