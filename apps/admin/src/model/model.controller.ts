import { Controller, Get } from '@nestjs/common';
import { CHANNEL_TYPES, Role } from '@oneapi/domain';
import { AbilityRepository } from '@oneapi/data';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ok } from '../common/envelope';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiSummary } from '../openapi/api-docs.decorators';

/** Models the caller's group can use (from abilities), and One API's per-channel-type model map. */
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

  /** One API's DashboardListModels: channel type id → that type's default models (JSON keys are strings). */
  @ApiSummary('Default models of every channel type', 'One API’s shape: `data` maps each channel type id to its default model names. For the models the caller can use, see /api/user/available_models.')
  @ApiEnvelope({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: { '1': ['gpt-4o', 'gpt-4o-mini'], '14': ['claude-3-5-sonnet-20240620'] } })
  @Get('models')
  models() {
    return ok(Object.fromEntries(CHANNEL_TYPES.map((type) => [String(type.id), [...type.defaultModels]])));
  }
}
