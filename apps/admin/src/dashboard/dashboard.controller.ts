import { Controller, Get } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { LogRepository } from '@oneapi/data';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ok } from '../common/envelope';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiSummary } from '../openapi/api-docs.decorators';
import { DashboardRowDoc } from '../openapi/api-models';

const DAY = 86_400;

/** The last `days` local days (today included) as unix seconds [start, end], and the UTC offset used. */
export function lastDays(days: number, nowMs = Date.now()): { start: number; end: number; offset: number } {
  const offset = -new Date(nowMs).getTimezoneOffset() * 60;
  const now = Math.floor(nowMs / 1000);
  const startOfToday = Math.floor((now + offset) / DAY) * DAY - offset;
  return { start: startOfToday - (days - 1) * DAY, end: startOfToday + DAY - 1, offset };
}

/**
 * `GET /api/user/dashboard`: the caller's consumption per day and model over the last 7 days
 * (One API's GetUserDashboard; rows keep its field names Day, ModelName, RequestCount, Quota,
 * PromptTokens, CompletionTokens).
 */
@ApiTags('dashboard')
@ApiAuth(Role.Common)
@Controller('api/user')
@Auth(Role.Common)
export class DashboardController {
  constructor(private readonly logs: LogRepository) {}

  @ApiSummary('The caller’s consumption per day and model over the last 7 days', 'Days are in the server’s local time zone. Field names are One API’s (capitalised).')
  @ApiEnvelope([DashboardRowDoc])
  @Get('dashboard')
  async dashboard(@CurrentUser() user: AuthedUser) {
    const { start, end, offset } = lastDays(7);
    return ok(await this.logs.dashboard(user.id, start, end, offset));
  }
}
