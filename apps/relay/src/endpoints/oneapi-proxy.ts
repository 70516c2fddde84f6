import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChannelStatus, ChannelType, Role } from '@oneapi/domain';
import { clientIp } from '@oneapi/platform';
import { classifyTransportError, resolveBaseUrl } from '@oneapi/providers';
import { apiKeyOf } from '../auth/relay-auth.service';
import { RelayErrorCode, RelayException, UpstreamHttpError } from '../errors/relay.exception';
import type { RelayServices } from '../relay.services';
import type { RoutingTable } from '../routing/channel-router.service';

/** Largest reply relayed (the body is read whole). */
const BODY_LIMIT = 32 * 1024 * 1024;

/** Client headers that describe the client's own connection or credentials, never forwarded. */
const DROPPED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding', 'authorization', 'x-api-key', 'proxy-authorization', 'te', 'upgrade', 'expect']);
/** Reply headers the relay sets itself. */
const DROPPED_BACK = new Set(['content-length', 'connection', 'keep-alive', 'transfer-encoding', 'set-cookie']);

/** Whether the caller's group routes to this channel (it serves some model of the group). */
function groupReaches(table: RoutingTable, group: string, channelId: number): boolean {
  for (const tiers of table.routes.get(group)?.values() ?? []) {
    for (const tier of tiers) if (tier.channels.some((c) => c.id === channelId)) return true;
  }
  return false;
}

/**
 * One API's Proxy channel type (43): `ANY /v1/oneapi/proxy/{channel id}/{path}` forwards the request
 * to `{channel base URL}/{path}` with the query, body and headers as sent, and the channel's key as
 * the `Authorization` value (One API's relay/adaptor/proxy). The caller's key must be valid and its
 * group must route to the channel (administrators may use any Proxy channel). Nothing is billed, as
 * in One API: there is no model and no usage. The reply (status, type, body) comes back as is.
 */
export async function oneApiProxy(req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> {
  const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], s.trustedProxies);
  const caller = await s.auth.authenticate(apiKeyOf(req.headers), ip);
  const params = req.params as { channelId?: string; '*'?: string };
  const id = Number(params.channelId);
  const table = s.router.peek() ?? (await s.router.current());
  const channel = Number.isInteger(id) ? table.channels.get(id) : undefined;
  if (!channel || channel.type !== ChannelType.Proxy) throw new RelayException(RelayErrorCode.ChannelPinInvalid, `channel #${params.channelId ?? ''} is not a Proxy channel`);
  if (channel.status !== ChannelStatus.Enabled) throw new RelayException(RelayErrorCode.ChannelPinInvalid, `channel #${id} is disabled`);
  if (caller.user.role < Role.Admin && !groupReaches(table, caller.user.group, id)) {
    throw new RelayException(RelayErrorCode.ChannelPinForbidden, `channel #${id} is not available to your group`);
  }
  const method = req.method as 'GET' | 'POST' | 'DELETE';
  const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
  const url = `${resolveBaseUrl(channel.ctx)}/${params['*'] ?? ''}${query}`;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || DROPPED.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  headers.authorization = channel.ctx.key;
  const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
  const proxy = channel.ctx.config.proxy?.trim();
  const call = s.upstream.send({ url, method, headers, ...(body ? { body } : {}), ...(proxy ? { proxy } : {}) });
  const secrets = [channel.ctx.key];
  try {
    await call.started;
  } catch (error) {
    const v = classifyTransportError(error as Error, { secrets });
    throw new UpstreamHttpError(v.status, v.error, v.retryAfterSeconds);
  }
  let out: Buffer;
  try {
    out = await call.collect(BODY_LIMIT);
  } catch (error) {
    const v = classifyTransportError(error as Error, { afterHead: true, secrets });
    throw new UpstreamHttpError(v.status, v.error, v.retryAfterSeconds);
  }
  for (const [name, value] of Object.entries(call.headers)) if (!DROPPED_BACK.has(name)) void reply.header(name, value);
  // The channel's key never comes back, even when the upstream echoes it.
  const key = channel.ctx.key;
  const clean = key.length >= 6 && out.includes(key) ? Buffer.from(out.toString('utf8').split(key).join('[redacted]')) : out;
  void reply.code(call.statusCode).send(clean);
}
