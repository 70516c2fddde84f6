import { Controller, Get } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { AbilityRepository } from '@oneapi/data';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ok } from '../common/envelope';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiSummary } from '../openapi/api-docs.decorators';

/** Models the caller's group can use: those some enabled channel serves to it (from abilities). */
@ApiTags('model')
@ApiAuth(Role.Common)
@Controller('api')
@Auth(Role.Common)
export class ModelController {
  constructor(private readonly abilities: AbilityRepository) {}

  @ApiSummary('Models the caller’s group can use', 'Those some enabled channel of the group serves, sorted.')
  @ApiEnvelope({ type: 'array', items: { type: 'string' }, example: ['gpt-4o', 'gpt-4o-mini'] })
  @Get('user/available_models')
  async available(@CurrentUser() user: AuthedUser) {
    return ok(await this.abilities.modelsForGroup(user.group || 'default'));
  }

  @ApiSummary('Models the caller’s group can use (alias of /api/user/available_models)')
  @ApiEnvelope({ type: 'array', items: { type: 'string' }, example: ['gpt-4o', 'gpt-4o-mini'] })
  @Get('models')
  async models(@CurrentUser() user: AuthedUser) {
    return ok(await this.abilities.modelsForGroup(user.group || 'default'));
  }
}
