import { Controller, Get, Inject } from '@nestjs/common';
import { Role } from '@oneapi/domain';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { Auth } from '../auth/auth.decorators';
import { ok } from '../common/envelope';

/** Group names: the keys of the GroupRatio option; `["default"]` when it is unset or unreadable. */
export function groupNames(groupRatio: string | undefined): string[] {
  if (!groupRatio) return ['default'];
  try {
    const parsed: unknown = JSON.parse(groupRatio);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const names = Object.keys(parsed);
      if (names.length) return names;
    }
  } catch {
    /* the option editor rejects bad JSON; fall back rather than fail the console */
  }
  return ['default'];
}

/** `GET /api/group/` (admin): the groups users and channels can be put in (One API's GetGroups). */
@Controller('api/group')
@Auth(Role.Admin)
export class GroupController {
  constructor(@Inject(RUNTIME) private readonly runtime: ServiceRuntime) {}

  @Get()
  groups() {
    return ok(groupNames(this.runtime.options.raw()['GroupRatio']));
  }
}
