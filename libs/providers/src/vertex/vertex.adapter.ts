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
import { fromAnthropicResponse } from '../anthropic/anthropic-chat';
import { AdapterNotImplementedError } from '../errors';
import { fromGeminiResponse } from '../gemini/gemini-chat';
import { vertexAccessToken } from './vertex-auth';
import { isVertexClaude, toVertexRequest, vertexHost, vertexTarget } from './vertex-chat';
import { convertVertexStreamEvent, newVertexStreamState } from './vertex-stream';

/**
 * Google Vertex AI (42), as One API's relay/adaptor/vertexai: Gemini models through
 * `publishers/google/models/{model}:generateContent` (`:streamGenerateContent?alt=sse`), Claude
 * models through `publishers/anthropic/models/{model}:rawPredict` (`:streamRawPredict`), both at
 * `https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}`. Auth is a
 * service-account access token (JWT-bearer grant, cached until it expires) added in `authorize`.
 */
export class VertexAdapter implements ProviderAdapter {
  readonly name = 'Google Vertex AI';
  /** Google's error shape (Claude's errors are read by the OpenAI-like fallback). */
  readonly wireFormat = 'gemini' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, model: string, info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const t = vertexTarget(ch);
    const own = (ch.baseUrl ?? '').trim().replace(/\/+$/, '');
    const base = own !== '' ? own : vertexHost(t.region);
    const claude = isVertexClaude(model);
    const action = claude ? (info?.stream ? 'streamRawPredict' : 'rawPredict') : info?.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return `${base}/v1/projects/${encodeURIComponent(t.projectId)}/locations/${encodeURIComponent(t.region)}/publishers/${claude ? 'anthropic' : 'google'}/models/${encodeURIComponent(model)}:${action}`;
  }

  requestHeaders(_ch: ChannelContext, mode: RelayMode, incoming: IncomingHeaders, _info?: UpstreamRequestInfo): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json', accept: incoming.accept || 'application/json' };
  }

  /** Both publishers report usage in every stream; `stream_options` is not a field of either. */
  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  async authorize(ch: ChannelContext, request: UpstreamRequestToAuthorize, http: AuthHttp): Promise<AuthorizedRequest> {
    const token = await vertexAccessToken(vertexTarget(ch).serviceAccount, http);
    return { headers: { ...request.headers, authorization: `Bearer ${token}` } };
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toVertexRequest(body, ctx);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return isVertexClaude(ctx.upstreamModel) ? fromAnthropicResponse(body, ctx) : fromGeminiResponse(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newVertexStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertVertexStreamEvent(event, state);
  }
}

/** Registry factory for channel type 42. */
export function createVertexAdapter(defaultModels: readonly string[]): VertexAdapter {
  return new VertexAdapter(defaultModels);
}
