import { Controller, Get, Inject } from '@nestjs/common';
import { CHANNEL_TYPES, Role, getCompletionRatio, getGroupRatio, getModelRatio, readOptions } from '@oneapi/domain';
import { AbilityRepository, Database } from '@oneapi/data';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { channelTypesWithEndpoints } from '../channel/channel-types.view';
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
  constructor(
    private readonly abilities: AbilityRepository,
    private readonly db: Database,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  /**
   * The models page: each model the caller's group routes to, its price in quota per million
   * input and output tokens (model ratio × group ratio, × completion ratio for output: the
   * relay's billing) and the relay paths the types of its enabled channels in the group serve.
   */
  @ApiSummary(
    'Models of the caller’s group with prices and endpoints',
    '`input_quota_per_1m` = 1e6 × model ratio × group ratio; `output_quota_per_1m` also × completion ratio; `endpoints` are the /v1 paths the types of the group’s enabled channels serving the model relay.',
  )
  @ApiEnvelope({
    type: 'array',
    items: {
      type: 'object',
      properties: {
        model: { type: 'string' },
        model_ratio: { type: 'number' },
        completion_ratio: { type: 'number' },
        group_ratio: { type: 'number' },
        input_quota_per_1m: { type: 'number' },
        output_quota_per_1m: { type: 'number' },
        endpoints: { type: 'array', items: { type: 'string' } },
      },
    },
  })
  @Get('user/models')
  async priced(@CurrentUser() user: AuthedUser) {
    const group = user.group || 'default';
    const rows: Array<{ model: string; type: number | string }> = await this.db.source.query(
      'SELECT DISTINCT a.model AS model, c.type AS type FROM abilities a JOIN channels c ON c.id = a.channel_id WHERE a.`group` = ? AND a.enabled = 1 ORDER BY a.model',
      [group],
    );
    const endpointsOfType = new Map(channelTypesWithEndpoints().map((t) => [t.id, t.endpoints]));
    const types = new Map<string, Set<number>>();
    for (const r of rows) {
      const set = types.get(r.model) ?? new Set<number>();
      set.add(Number(r.type));
      types.set(r.model, set);
    }
    const options = readOptions(this.runtime.options.raw());
    const groupRatio = getGroupRatio(group, options.GroupRatio);
    const paths = [...new Set(channelTypesWithEndpoints().flatMap((t) => t.endpoints))];
    return ok(
      [...types.entries()].map(([model, typeIds]) => {
        const modelRatio = getModelRatio(model, options.ModelRatio);
        const completionRatio = getCompletionRatio(model, options.CompletionRatio);
        const served = new Set([...typeIds].flatMap((id) => endpointsOfType.get(id) ?? []));
        return {
          model,
          model_ratio: modelRatio,
          completion_ratio: completionRatio,
          group_ratio: groupRatio,
          input_quota_per_1m: 1e6 * modelRatio * groupRatio,
          output_quota_per_1m: 1e6 * modelRatio * groupRatio * completionRatio,
          endpoints: paths.filter((p) => served.has(p)),
        };
      }),
    );
  }

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
