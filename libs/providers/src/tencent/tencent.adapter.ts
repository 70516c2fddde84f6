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
import { fromTencentChatResponse, tencentCredentials, toTencentChatRequest } from './tencent-chat';
import { tc3Authorization } from './tencent-sign';
import { convertTencentStreamEvent } from './tencent-stream';

export const TENCENT_ACTION = 'ChatCompletions';
export const TENCENT_VERSION = '2023-09-01';

/**
 * Tencent Hunyuan (23), API 3.0 as One API's relay/adaptor/tencent: `POST {base}/` with
 * `X-TC-Action: ChatCompletions`, `X-TC-Version: 2023-09-01`, `X-TC-Timestamp` and a
 * TC3-HMAC-SHA256 `Authorization` over the final body (`authorize`), from the key
 * `AppId|SecretId|SecretKey`. Errors come back with HTTP 200 in `Response.Error`.
 */
export class TencentAdapter implements ProviderAdapter {
  readonly name = 'Tencent Hunyuan';
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);

  constructor(
    readonly defaultModels: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, _model: string, _info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return `${resolveBaseUrl(ch)}/`;
  }

  requestHeaders(_ch: ChannelContext, mode: RelayMode, incoming: IncomingHeaders): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json', accept: incoming.accept || 'application/json', 'x-tc-action': TENCENT_ACTION, 'x-tc-version': TENCENT_VERSION };
  }

  /** Hunyuan reports usage in every stream event; `stream_options` is not one of its fields. */
  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  async authorize(ch: ChannelContext, request: UpstreamRequestToAuthorize, _http: AuthHttp): Promise<AuthorizedRequest> {
    const { secretId, secretKey } = tencentCredentials(ch);
    const host = new URL(request.url).host;
    const timestamp = Math.floor(this.now() / 1000);
    const body = typeof request.body === 'string' ? request.body : request.body.toString('utf8');
    const authorization = tc3Authorization({ secretId, secretKey, service: 'hunyuan', host, action: TENCENT_ACTION, timestamp, body });
    return { headers: { ...request.headers, host, 'x-tc-timestamp': String(timestamp), authorization } };
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toTencentChatRequest(body, ctx);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromTencentChatResponse(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertTencentStreamEvent(event, state);
  }
}
