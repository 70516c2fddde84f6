import type { FastifyReply, FastifyRequest } from 'fastify';
import { RelayAuthRepository } from '@oneapi/data';
import type { RelayCaller } from '../auth/relay-auth.service';
import { clientIp } from '@oneapi/platform';
import { RelayErrorCode, RelayException } from '../errors/relay.exception';
import type { RelayServices } from '../relay.services';

/** OpenAI's model object (One API fills the same fields). */
function modelObject(id: string, ownedBy: string) {
  return { id, object: 'model', created: 1626777600, owned_by: ownedBy, root: id, parent: null };
}

async function authenticate(req: FastifyRequest, s: RelayServices): Promise<RelayCaller> {
  return s.auth.authenticate(req.headers.authorization, clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], s.trustedProxies));
}

/** The models this token may use: its allow-list when it has one, else everything its user's group routes to. */
async function allowedModels(caller: RelayCaller, s: RelayServices): Promise<Map<string, string>> {
  const table = await s.router.current();
  const owner = (model: string) => {
    const tiers = table.routes.get(caller.user.group)?.get(model);
    return tiers?.[0]?.channels[0]?.adapter.name.toLowerCase() ?? 'custom';
  };
  const ids = caller.token.modelSet ? [...caller.token.modelSet] : s.router.modelsOfGroup(table, caller.user.group);
  return new Map(ids.map((id) => [id, owner(id)]));
}

/** GET /v1/models */
export async function listModels(req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> {
  const caller = await authenticate(req, s);
  const models = await allowedModels(caller, s);
  await reply.send({ object: 'list', data: [...models].map(([id, owner]) => modelObject(id, owner)) });
}

/** GET /v1/models/:model (model ids may contain slashes, e.g. `meta-llama/llama-3`). */
export async function getModel(req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> {
  const caller = await authenticate(req, s);
  const id = decodeURIComponent((req.params as { '*': string })['*']);
  const models = await allowedModels(caller, s);
  const owner = models.get(id);
  if (owner === undefined) throw new RelayException(RelayErrorCode.ModelNotFound, `the model '${id}' does not exist`, 'model');
  await reply.send(modelObject(id, owner));
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
