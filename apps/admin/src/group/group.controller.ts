import { Controller, Get, Inject } from '@nestjs/common';
import { Role, readOptions } from '@oneapi/domain';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { Auth } from '../auth/auth.decorators';
import { ok } from '../common/envelope';
import { ApiTags } from '@nestjs/swagger';
import { ApiAuth, ApiEnvelope, ApiSummary } from '../openapi/api-docs.decorators';

/** Group names: the keys of the GroupRatio option (One API's defaults when unset); `["default"]` if it has none. */
export function groupNames(raw: Readonly<Record<string, string | undefined>>): string[] {
  const names = Object.keys(readOptions(raw).GroupRatio);
  return names.length ? names : ['default'];
}

/** `GET /api/group/` (admin): the groups users and channels can be put in (One API's GetGroups). */
@ApiTags('group')
@ApiAuth(Role.Admin)
@Controller('api/group')
@Auth(Role.Admin)
export class GroupController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @ApiSummary('Group names', 'The keys of the GroupRatio option; `["default"]` when it has none.')
  @ApiEnvelope({ type: 'array', items: { type: 'string' }, example: ['default', 'vip'] })
  @Get()
  groups() {
    return ok(groupNames(this.runtime.options.raw()));
  }
}
