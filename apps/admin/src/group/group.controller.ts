import { Controller, Get, Inject } from '@nestjs/common';
import { Role, readOptions } from '@oneapi/domain';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { Auth } from '../auth/auth.decorators';
import { ok } from '../common/envelope';

/** Group names: the keys of the GroupRatio option (One API's defaults when unset); `["default"]` if it has none. */
export function groupNames(raw: Readonly<Record<string, string | undefined>>): string[] {
  const names = Object.keys(readOptions(raw).GroupRatio);
  return names.length ? names : ['default'];
}

/** `GET /api/group/` (admin): the groups users and channels can be put in (One API's GetGroups). */
@Controller('api/group')
@Auth(Role.Admin)
export class GroupController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get()
  groups() {
    return ok(groupNames(this.runtime.options.raw()));
  }
}
