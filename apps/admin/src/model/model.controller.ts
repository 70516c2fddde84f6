import { Controller, Get } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { AbilityRepository } from '@oneapi/data';
import { Auth, CurrentUser } from '../auth/auth.decorators';
import type { AuthedUser } from '../auth/auth.guard';
import { ok } from '../common/envelope';

/** Models the caller's group can use: those some enabled channel serves to it (from abilities). */
@Controller('api')
@Auth(Role.Common)
export class ModelController {
  constructor(private readonly abilities: AbilityRepository) {}

  @Get('user/available_models')
  async available(@CurrentUser() user: AuthedUser) {
    return ok(await this.abilities.modelsForGroup(user.group || 'default'));
  }

  @Get('models')
  async models(@CurrentUser() user: AuthedUser) {
    return ok(await this.abilities.modelsForGroup(user.group || 'default'));
  }
}
