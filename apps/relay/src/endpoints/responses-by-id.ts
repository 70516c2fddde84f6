import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientIp } from '@oneapi/platform';
import { classifyTransportError, classifyUpstreamError } from '@oneapi/providers';
import { RelayErrorCode, RelayException, UpstreamHttpError } from '../errors/relay.exception';
import { apiKeyOf } from '../auth/relay-auth.service';
import { homeOf } from '../protocols/responses-affinity';
import type { RelayServices } from '../relay.services';

/** What a by-id route does upstream. */
export type ResponseAction = 'retrieve' | 'delete' | 'cancel' | 'input_items';

const METHOD: Record<ResponseAction, 'GET' | 'DELETE' | 'POST'> = { retrieve: 'GET', delete: 'DELETE', cancel: 'POST', input_items: 'GET' };

/** Upper bound on a stored response or an item list read whole. */
const BODY_LIMIT = 32 * 1024 * 1024;

/**
 * GET/DELETE /v1/responses/{id}, POST /v1/responses/{id}/cancel, GET /v1/responses/{id}/input_items:
 * passed to the channel (and key) that created the response, found through the response's
 * recorded home; nothing is billed. A response the relay does not know for this caller is a 404,
 * and a home channel that is disabled a 400 — never another channel, which would not have it.
 */
export function responseById(action: ResponseAction) {
  return async (req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> => {
    const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], s.trustedProxies);
    const caller = await s.auth.authenticate(apiKeyOf(req.headers), ip);
    const id = (req.params as { id?: string }).id ?? '';
    if (action === 'retrieve' && /(?:^|&)stream=true(?:&|$)/.test(req.url.split('?')[1] ?? '')) {
      throw new RelayException(RelayErrorCode.InvalidRequest, 'streaming a stored response again (stream=true) is not supported by this relay', 'stream');
    }
    const table = s.router.peek() ?? (await s.router.current());
    const channel = await homeOf(s.responseAffinity, table.channels, caller.user.id, id, null);
    if (!channel) throw new RelayException(RelayErrorCode.NotFound, `Response with id '${id}' not found.`, null, 'response_not_found');
    const adapter = channel.adapter;
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const url = `${adapter.requestUrl(channel.ctx, 'responses', '')}/${encodeURIComponent(id)}${action === 'cancel' || action === 'input_items' ? `/${action}` : ''}${query}`;
    const headers = adapter.requestHeaders(channel.ctx, 'responses', { contentType: 'application/json', accept: 'application/json' });
    const method = METHOD[action];
    const call = s.upstream.send({ url, method, headers, body: method === 'POST' ? '{}' : undefined });
    const secrets = [channel.ctx.key];
    try {
      await call.started;
    } catch (error) {
      const v = classifyTransportError(error as Error, { secrets });
      throw new UpstreamHttpError(v.status, v.error, v.retryAfterSeconds);
    }
    const body = await call.collect(BODY_LIMIT);
    if (call.statusCode < 200 || call.statusCode >= 300) {
      const v = classifyUpstreamError(adapter, { status: call.statusCode, headers: call.headers, text: body.toString('utf8'), secrets });
      throw new UpstreamHttpError(v.status, v.error, v.retryAfterSeconds);
    }
    if (action === 'delete') await s.responseAffinity.forget(id);
    void reply.code(call.statusCode).header('content-type', call.headers['content-type'] || 'application/json').send(body);
  };
}
