/**
 * The client-protocol seam: how a /v1 API other than OpenAI chat (Anthropic Messages, OpenAI
 * Responses) rides the one relay pipeline. Routing, retries, quota, logs, metrics and the stream
 * engine stay those of chat; a protocol only says how its bodies, events and errors look.
 *
 * Per attempt the channel's adapter decides the leg (see {@link planLeg}):
 * - native: the adapter declares the protocol's `RelayMode` → the client's body goes upstream as
 *   it came (model mapping aside), the reply and its events come back as they are, and usage is
 *   read from them by the protocol ({@link ClientProtocol.replyUsage}, {@link ClientProtocol.nativeStream});
 * - bridged: otherwise, when the adapter serves `chat` → the body becomes an OpenAI chat body
 *   ({@link ClientProtocol.toChat}), goes through the adapter's own chat conversion like any
 *   chat request, and the chat reply / chunks become the protocol's reply / events
 *   ({@link ClientProtocol.fromChat}, {@link ClientProtocol.chatStream});
 * - neither: the channel cannot serve the request (501, the next channel is tried).
 *
 * Errors the relay answers on the protocol's routes take the protocol's shape
 * ({@link ClientProtocol.errorBody}) in the relay's one exception filter, picked by the route.
 */
import type { PrepareInput, ProviderAdapter, RelayMode, Usage } from '@oneapi/providers';
import type { OpenAIErrorObject } from '../errors/error-surface';
import type { RelayRequest } from '../pipeline/relay-request';
import type { RouteChannel } from '../routing/channel-router.service';
import type { ChunkTranslator, ProtocolEventReader } from '../stream';

/** Per-request facts a protocol's conversions need. */
export interface ProtocolContext {
  requestId: string;
  /** The model the client asked for (reported back to it). */
  requestModel: string;
  /** The model sent upstream (after the channel's mapping). */
  upstreamModel: string;
  /** Prompt tokens counted at admission (a bridged stream reports them before the upstream does). */
  promptTokens: number;
  /** The channel's adapter (a bridge may refuse what its wire format cannot express). */
  adapter: Pick<ProviderAdapter, 'name' | 'wireFormat'>;
  /** The client's body (a converted reply echoes its settings). */
  request?: Record<string, unknown>;
}

/** Response header naming the parameters a bridged leg accepted and left out (comma-separated). */
export const IGNORED_PARAMS_HEADER = 'x-oneapi-ignored-params';

/** A client protocol other than OpenAI chat. One object per protocol, stateless. */
export interface ClientProtocol {
  /** For logs and messages (`anthropic-messages`). */
  readonly name: string;
  /** The mode an adapter declares to take this protocol natively. */
  readonly mode: RelayMode;
  /** The header this protocol's SDK reads the relay's request id from, besides `x-request-id`. */
  readonly requestIdHeader?: string;
  /** Client request headers (lower-case) a native upstream receives as `IncomingHeaders.protocol`. */
  readonly forwardHeaders: readonly string[];

  /** This surface's error body for a relay error: its status and the error in OpenAI's terms. */
  errorBody(status: number, error: OpenAIErrorObject, requestId: string): unknown;

  /** Usage of a native (non-streamed) reply, cache tokens included. */
  replyUsage(body: unknown): Usage | undefined;
  /** A fresh reader of a native stream's events. */
  nativeStream(ctx: ProtocolContext): ProtocolEventReader;

  /**
   * The client's body as an OpenAI chat body (streams ask for usage). Throws a 400
   * `RelayException` naming the parameter the channel cannot express.
   */
  toChat(body: Record<string, unknown>, ctx: ProtocolContext): Record<string, unknown>;
  /** An OpenAI `chat.completion` as this protocol's reply body. */
  fromChat(chat: Record<string, unknown>, ctx: ProtocolContext): unknown;
  /** A fresh translator of chat chunks into this protocol's events. */
  chatStream(ctx: ProtocolContext): ChunkTranslator;
  /**
   * Parameters of `body` the chat bridge accepts and leaves out because they only steer the
   * provider's own work (what it trims or caches), not the answer; named to the client in
   * {@link IGNORED_PARAMS_HEADER}.
   */
  bridgeIgnored?(body: Record<string, unknown>, ctx: ProtocolContext): string[];
}

/** How one attempt on one channel speaks: the mode sent upstream and the protocol's part in it. */
export interface Leg {
  /** The relay mode the upstream request is prepared for. */
  mode: RelayMode;
  /** The client's protocol when it is not the endpoint's plain OpenAI one. */
  protocol: ClientProtocol | null;
  /** True when the request goes through the chat bridge. */
  bridged: boolean;
}

/** The leg an endpoint takes on a channel of this adapter; null when the channel cannot serve it. */
export function planLeg(mode: RelayMode, protocol: ClientProtocol | undefined, adapter: Pick<ProviderAdapter, 'endpoints'>): Leg | null {
  if (!protocol) return adapter.endpoints.has(mode) ? { mode, protocol: null, bridged: false } : null;
  if (adapter.endpoints.has(protocol.mode)) return { mode: protocol.mode, protocol, bridged: false };
  if (adapter.endpoints.has('chat')) return { mode: 'chat', protocol, bridged: true };
  return null;
}

/** The protocol headers of a client request a native upstream receives (only those present). */
export function forwardedHeaders(protocol: ClientProtocol, headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const name of protocol.forwardHeaders) {
    const v = headers[name];
    const value = Array.isArray(v) ? v.join(',') : v;
    if (value !== undefined && value !== '') (out ??= {})[name] = value;
  }
  return out;
}

/** The protocol's view of one request on one channel. */
export function protocolContext(rq: RelayRequest, channel: RouteChannel): ProtocolContext {
  return {
    requestId: rq.req.id,
    requestModel: rq.parsed.model,
    upstreamModel: channel.modelMapping.get(rq.parsed.model) ?? rq.parsed.model,
    promptTokens: rq.priced.promptTokens,
    adapter: channel.adapter,
    request: rq.parsed.json,
  };
}

/** The {@link IGNORED_PARAMS_HEADER} value of a bridged leg's reply, if it left anything out. */
export function ignoredParams(rq: RelayRequest, channel: RouteChannel, leg: Leg): string | undefined {
  if (!leg.bridged || !leg.protocol?.bridgeIgnored) return undefined;
  const ignored = leg.protocol.bridgeIgnored(rq.parsed.json, protocolContext(rq, channel));
  return ignored.length > 0 ? ignored.join(', ') : undefined;
}

/**
 * What the exchange prepares for one leg: the client's bytes (plain and native legs, the
 * protocol's headers carried on native ones), or the bridged chat body, whose stream asks for
 * usage wherever the upstream accepts `stream_options`.
 */
export function legInput(rq: RelayRequest, channel: RouteChannel, leg: Leg): PrepareInput {
  const { req, parsed } = rq;
  const upstreamModel = channel.modelMapping.get(parsed.model) ?? parsed.model;
  // One literal per branch, every field present: one object shape for the hot path.
  if (leg.bridged && leg.protocol) {
    return {
      json: leg.protocol.toChat(parsed.json, protocolContext(rq, channel)),
      raw: undefined,
      text: undefined,
      multipart: false,
      contentType: 'application/json',
      accept: parsed.stream ? 'text/event-stream' : 'application/json',
      requestModel: parsed.model,
      upstreamModel,
      stream: parsed.stream,
      includeUsage: false,
      systemPrompt: channel.systemPrompt,
      protocolHeaders: undefined,
    };
  }
  const headers = req.raw.headers;
  return {
    json: parsed.json,
    raw: req.body as Buffer | undefined,
    text: parsed.text,
    multipart: parsed.multipart,
    contentType: headers['content-type'],
    accept: headers.accept,
    requestModel: parsed.model,
    upstreamModel,
    stream: parsed.stream,
    includeUsage: parsed.includeUsage,
    systemPrompt: channel.systemPrompt,
    protocolHeaders: leg.protocol ? forwardedHeaders(leg.protocol, headers) : undefined,
  };
}
