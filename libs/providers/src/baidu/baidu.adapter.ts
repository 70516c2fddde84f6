import type {
  AuthHttp,
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
  UpstreamRequestInfo,
  UpstreamRequestToAuthorize,
} from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { baiduAccessToken } from './baidu-auth';
import { baiduChatEndpoint, fromBaiduChatResponse, toBaiduChatRequest } from './baidu-chat';
import { convertBaiduStreamEvent } from './baidu-stream';

/**
 * Baidu ERNIE v1 (15), as One API's relay/adaptor/baidu: `POST {base}/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}?access_token=...`
 * with the access token from the key's `API_KEY|SECRET_KEY` (exchanged and cached in
 * `authorize`). Chat only; Baidu Qianfan V2 (47) is the OpenAI-compatible successor.
 */
export class BaiduAdapter implements ProviderAdapter {
  readonly name = 'Baidu ERNIE (v1)';
  /** Errors are `{error_code, error_msg}`, read by the generic fallback. */
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, model: string, _info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return `${resolveBaseUrl(ch)}/rpc/2.0/ai_custom/v1/wenxinworkshop/chat/${encodeURIComponent(baiduChatEndpoint(model))}`;
  }

  requestHeaders(_ch: ChannelContext, mode: RelayMode, incoming: IncomingHeaders): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json', accept: incoming.accept || 'application/json' };
  }

  /** ERNIE reports usage in its last stream event; `stream_options` is not one of its fields. */
  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  /** The access token rides in the query string, as Baidu's v1 API wants it. */
  async authorize(ch: ChannelContext, request: UpstreamRequestToAuthorize, http: AuthHttp): Promise<AuthorizedRequest> {
    const token = await baiduAccessToken(ch, resolveBaseUrl(ch), http);
    return { headers: { ...request.headers }, url: `${request.url}?access_token=${encodeURIComponent(token)}` };
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, _ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toBaiduChatRequest(body);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromBaiduChatResponse(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertBaiduStreamEvent(event, state);
  }
}
