import type { FastifyReply, FastifyRequest } from 'fastify';
import { RelayAuthRepository } from '@oneapi/data';
import type { RelayCaller } from '../auth/relay-auth.service';
import { clientIp } from '@oneapi/platform';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import type { RelayServices } from '../relay.services';
import { ENDPOINTS } from '../endpoints';
import { channelServes, type RoutingTable } from '../routing/channel-router.service';

/**
 * OpenAI's model object (One API fills the same fields), plus `supported_endpoints`: the relay
 * paths some channel serving the model offers to the caller's group (an extension field; OpenAI's
 * clients ignore fields they do not know).
 */
function modelObject(id: string, ownedBy: string, endpoints: readonly string[]) {
  return { id, object: 'model', created: 1626777600, owned_by: ownedBy, root: id, parent: null, supported_endpoints: endpoints };
}

/** Per routing table (rebuilt on every channel change): group → model → supported endpoint paths. */
const ENDPOINTS_BY_TABLE = new WeakMap<RoutingTable, Map<string, Map<string, readonly string[]>>>();

/** The endpoints the model's enabled channels in the group serve, in the relay's endpoint order. */
function supportedEndpoints(table: RoutingTable, group: string, model: string): readonly string[] {
  let byGroup = ENDPOINTS_BY_TABLE.get(table);
  if (!byGroup) ENDPOINTS_BY_TABLE.set(table, (byGroup = new Map()));
  let byModel = byGroup.get(group);
  if (!byModel) byGroup.set(group, (byModel = new Map()));
  let paths = byModel.get(model);
  if (!paths) {
    const channels = (table.routes.get(group)?.get(model) ?? []).flatMap((t) => t.channels);
    paths = ENDPOINTS.filter((e) => channels.some((c) => channelServes(e, c))).map((e) => e.path);
    byModel.set(model, paths);
  }
  return paths;
}

async function authenticate(req: FastifyRequest, s: RelayServices): Promise<RelayCaller> {
  return s.auth.authenticate(req.headers.authorization, clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], s.trustedProxies));
}

/** The models this token may use: its allow-list when it has one, else everything its user's group routes to. */
async function allowedModels(caller: RelayCaller, s: RelayServices): Promise<Map<string, ReturnType<typeof modelObject>>> {
  const table = await s.router.current();
  const group = caller.user.group;
  const owner = (model: string) => {
    const tiers = table.routes.get(group)?.get(model);
    return tiers?.[0]?.channels[0]?.adapter.name.toLowerCase() ?? 'custom';
  };
  const ids = caller.token.modelSet ? [...caller.token.modelSet] : s.router.modelsOfGroup(table, group);
  return new Map(ids.map((id) => [id, modelObject(id, owner(id), supportedEndpoints(table, group, id))]));
}

/** GET /v1/models */
export async function listModels(req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> {
  const caller = await authenticate(req, s);
  const models = await allowedModels(caller, s);
  await reply.send({ object: 'list', data: [...models.values()] });
}

/** GET /v1/models/:model (model ids may contain slashes, e.g. `meta-llama/llama-3`). */
export async function getModel(req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> {
  const caller = await authenticate(req, s);
  const id = decodeURIComponent((req.params as { '*': string })['*']);
  const models = await allowedModels(caller, s);
  const model = models.get(id);
  if (model === undefined) throw new RelayException(RelayErrorCode.ModelNotFound, `the model '${id}' does not exist`, 'model');
  await reply.send(model);
}

/** The (remaining + used, used, expiry) figures One API reports, from the token or its user (fresh from the database). */
async function balance(req: FastifyRequest, s: RelayServices) {
  const caller = await authenticate(req, s);
  const repo = new RelayAuthRepository(s.runtime.db);
  const opts = s.pricing.options;
  if (opts.displayTokenStat) {
    const t = await repo.findTokenById(caller.token.id);
    if (!t) throw new RelayException(RelayErrorCode.InvalidApiKey, 'invalid API key');
    return { remain: t.remainQuota, used: t.usedQuota, expiredTime: t.expiredTime, unlimited: t.unlimitedQuota, opts };
  }
  const u = await repo.findUserById(caller.user.id);
  if (!u) throw new RelayException(RelayErrorCode.UserDisabled, 'the user of this API key is disabled');
  return { remain: u.quota, used: u.usedQuota, expiredTime: caller.token.expiredTime, unlimited: false, opts };
}

/** GET /dashboard/billing/subscription, as One API answers it (controller/billing.go). */
export async function billingSubscription(req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> {
  const b = await balance(req, s);
  let amount = b.remain + b.used;
  if (b.opts.displayInCurrency) amount /= b.opts.quotaPerUnit;
  if (b.unlimited) amount = 100_000_000;
  await reply.send({
    object: 'billing_subscription',
    has_payment_method: true,
    soft_limit_usd: amount,
    hard_limit_usd: amount,
    system_hard_limit_usd: amount,
    access_until: b.expiredTime > 0 ? b.expiredTime : 0,
  });
}

/** GET /dashboard/billing/usage: total_usage in cents of the used quota. */
export async function billingUsage(req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> {
  const b = await balance(req, s);
  let amount = b.used;
  if (b.opts.displayInCurrency) amount /= b.opts.quotaPerUnit;
  await reply.send({ object: 'list', total_usage: amount * 100 });
}
