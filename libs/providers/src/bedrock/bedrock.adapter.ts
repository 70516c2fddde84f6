import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
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
  StreamDecoder,
  StreamState,
  UpstreamRequestInfo,
  UpstreamRequestToAuthorize,
} from '../adapter.types';
import { fromAnthropicResponse } from '../anthropic/anthropic-chat';
import { convertAnthropicStreamEvent } from '../anthropic/anthropic-stream';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { bedrockCredentials, bedrockModelId, toBedrockClaudeRequest } from './bedrock-chat';
import { createBedrockStreamDecoder } from './event-stream';

export const BEDROCK_EVENT_STREAM = 'application/vnd.amazon.eventstream';

/**
 * AWS Claude (33): Bedrock Runtime InvokeModel / InvokeModelWithResponseStream
 * (`POST https://bedrock-runtime.{region}.amazonaws.com/model/{modelId}/invoke[-with-response-stream]`)
 * with the Anthropic Messages body, SigV4-signed over the final body (`authorize`). Streams come
 * back in AWS event-stream framing, re-framed into the Anthropic SSE events they carry.
 */
export class BedrockAdapter implements ProviderAdapter {
  readonly name = 'AWS Claude (Bedrock)';
  /** Bodies and stream events are Anthropic's; errors are `{message}` bodies, read as OpenAI-like. */
  readonly wireFormat = 'anthropic' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);
  readonly streamContentType = BEDROCK_EVENT_STREAM;

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, model: string, info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const own = (ch.baseUrl ?? '').trim().replace(/\/+$/, '');
    const base = own !== '' ? own : `https://bedrock-runtime.${bedrockCredentials(ch).region}.amazonaws.com`;
    return `${base}/model/${encodeURIComponent(bedrockModelId(model))}/${info?.stream ? 'invoke-with-response-stream' : 'invoke'}`;
  }

  /** The credentials sign the request in `authorize`; these are the headers signed. */
  requestHeaders(_ch: ChannelContext, mode: RelayMode, _incoming: IncomingHeaders, info?: UpstreamRequestInfo): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json', accept: info?.stream ? BEDROCK_EVENT_STREAM : 'application/json' };
  }

  /** Bedrock reports usage in every stream (Anthropic's message events); `stream_options` would be an extraneous key. */
  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  /** SigV4 (service `bedrock`) over the final URL, headers and body, with the host it goes to. */
  async authorize(ch: ChannelContext, request: UpstreamRequestToAuthorize, _http: AuthHttp): Promise<AuthorizedRequest> {
    const creds = bedrockCredentials(ch);
    const url = new URL(request.url);
    const signer = new SignatureV4({
      service: 'bedrock',
      region: creds.region,
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...request.headers, host: url.host },
      body: request.body,
    });
    return { headers: signed.headers };
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toBedrockClaudeRequest(body, ctx);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromAnthropicResponse(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  createStreamDecoder(): StreamDecoder {
    return createBedrockStreamDecoder();
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertAnthropicStreamEvent(event, state);
  }
}

/** Registry factory for channel type 33. */
export function createBedrockAdapter(defaultModels: readonly string[]): BedrockAdapter {
  return new BedrockAdapter(defaultModels);
}
