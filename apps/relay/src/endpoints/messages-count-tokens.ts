import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChannelStatus } from '@oneapi/domain';
import { clientIp } from '@oneapi/platform';
import { classifyTransportError, classifyUpstreamError, prepareUpstreamRequest } from '@oneapi/providers';
import { apiKeyOf } from '../auth/relay-auth.service';
import { RelayErrorCode, RelayException, UpstreamHttpError } from '../errors/relay.exception';
import { anthropicMessages } from '../protocols/anthropic/messages-protocol';
import { forwardedHeaders } from '../protocols/client-protocol';
import type { RelayServices } from '../relay.services';
import type { RouteChannel } from '../routing/channel-router.service';
import { messagesPromptTokens } from './messages';
import { parseMessagesRequest } from './messages-checks';

/** Upper bound on a count_tokens reply read from the upstream. */
const REPLY_LIMIT = 64 * 1024;

/** The channel a request for `model` would go to (the pinned one, else the router's first pick). */
async function channelFor(s: RelayServices, group: string, model: string, pinned: number | null): Promise<RouteChannel> {
  const table = s.router.peek() ?? (await s.router.current());
  if (pinned !== null) {
    const channel = table.channels.get(pinned);
    if (!channel || channel.status !== ChannelStatus.Enabled) throw new RelayException(RelayErrorCode.ChannelPinInvalid, `channel #${pinned} is not available`);
    return channel;
  }
  const channel = s.router.select(table, group, model, new Set());
  if (!channel) throw s.router.unavailable(table, group, model);
  return channel;
}

/** Asks a channel that serves count_tokens natively (Anthropic) for the count. */
async function upstreamCount(s: RelayServices, req: FastifyRequest, channel: RouteChannel, model: string, json: Record<string, unknown>, text: string): Promise<number> {
  const prepared = prepareUpstreamRequest(channel.adapter, channel.ctx, 'messages.count_tokens', {
    json,
    raw: req.body as Buffer,
    text,
    multipart: false,
    contentType: req.headers['content-type'],
    accept: 'application/json',
    requestModel: model,
    upstreamModel: channel.modelMapping.get(model) ?? model,
    stream: false,
    includeUsage: false,
    systemPrompt: '',
    protocolHeaders: forwardedHeaders(anthropicMessages, req.headers),
  });
  const call = s.upstream.send(prepared);
  try {
    await call.started;
  } catch (error) {
    const v = classifyTransportError(error as Error, { secrets: [channel.ctx.key] });
    throw new UpstreamHttpError(v.status, v.error, v.retryAfterSeconds);
  }
  const body = await call.collect(REPLY_LIMIT).then((b) => b.toString('utf8'));
  if (call.statusCode < 200 || call.statusCode >= 300) {
    const v = classifyUpstreamError(channel.adapter, { status: call.statusCode, headers: call.headers, text: body, secrets: [channel.ctx.key] });
    throw new UpstreamHttpError(v.status, v.error, v.retryAfterSeconds);
  }
  const count = (JSON.parse(body) as { input_tokens?: unknown }).input_tokens;
  if (typeof count !== 'number') throw new RelayException(RelayErrorCode.UpstreamError, 'the upstream reply could not be read');
  return count;
}

/**
 * POST /v1/messages/count_tokens: `{input_tokens}` for a Messages request, free of charge (no
 * reservation, no log row). The channel the request would be routed to answers when it serves
 * count_tokens natively (Anthropic); otherwise the prompt is counted here with the relay's
 * tokenizer, as admission counts it.
 */
export async function countMessageTokens(req: FastifyRequest, reply: FastifyReply, s: RelayServices): Promise<void> {
  const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], s.trustedProxies);
  const caller = await s.auth.authenticate(apiKeyOf(req.headers), ip);
  const parsed = parseMessagesRequest('messages.count_tokens', req.body as Buffer | undefined, req.headers['content-type'] ?? '');
  s.auth.checkModel(caller, parsed.model);
  const channel = await channelFor(s, caller.user.group, parsed.model, caller.pinnedChannelId);
  const inputTokens = channel.adapter.endpoints.has('messages.count_tokens')
    ? await upstreamCount(s, req, channel, parsed.model, parsed.json, parsed.text)
    : messagesPromptTokens(parsed, s.pricing);
  await reply.send({ input_tokens: inputTokens });
}
