import type {
  AuthorizedRequest,
  ChannelContext,
  ConversionContext,
  IncomingHeaders,
  ProviderAdapter,
  RelayMode,
  ResponseConversion,
  SseEvent,
  StreamConversion,
  StreamState,
  TransportContext,
  UpstreamReplyHandler,
  UpstreamRequestInfo,
  UpstreamRequestToAuthorize,
} from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { convertSparkStreamEvent, fromSparkJson, signSparkUrl, sparkApiVersion, sparkCredentials, sparkPath, toSparkRequest } from './spark-chat';
import { sparkTransport } from './spark-socket';

/**
 * iFlytek Spark v1 (18): the WebSocket chat API, `wss://spark-api.xf-yun.com/{version}/chat`,
 * with the key `APPID|APISecret|APIKey` (One API's format): the URL is signed with HMAC-SHA256
 * when the request is sent (`authorize`), the body carries the APPID, and the adapter's own
 * `transport` speaks the socket. Spark only streams, so JSON clients get the frames assembled.
 * A base URL `https://host` is the socket `wss://host` (`http://` → `ws://`).
 */
export class XunfeiAdapter implements ProviderAdapter {
  readonly name = 'iFlytek Spark (v1)';
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);
  readonly upstreamStreams = true;

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, model: string, _info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const base = resolveBaseUrl(ch).replace(/^http(s?):\/\//i, 'ws$1://');
    return `${base}${sparkPath(sparkApiVersion(model, ch.config.api_version))}`;
  }

  requestHeaders(ch: ChannelContext, mode: RelayMode, _incoming: IncomingHeaders): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json' };
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toSparkRequest(body, ctx, sparkApiVersion(ctx.upstreamModel, ctx.channel?.config.api_version));
  }

  convertResponse(mode: RelayMode, body: unknown, _ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromSparkJson(body);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertSparkStreamEvent(event, state);
  }

  /** Signs the socket URL as late as possible: Spark refuses a date more than five minutes off. */
  authorize(ch: ChannelContext, request: UpstreamRequestToAuthorize): Promise<AuthorizedRequest> {
    return Promise.resolve({ headers: { ...request.headers }, url: signSparkUrl(request.url, sparkCredentials(ch.id, ch.key)) });
  }

  transport(request: UpstreamRequestToAuthorize, handler: UpstreamReplyHandler, ctx: TransportContext): void {
    sparkTransport(request, handler, ctx);
  }
}
