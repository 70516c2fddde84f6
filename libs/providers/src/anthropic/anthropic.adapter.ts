import type {
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
} from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { fromAnthropicResponse, toAnthropicRequest } from './anthropic-chat';
import { convertAnthropicStreamEvent } from './anthropic-stream';

/** The API version One API pins (relay/adaptor/anthropic/adaptor.go); https://docs.anthropic.com/en/api/versioning */
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * The beta header One API sets for Claude 3.5 Sonnet: it raises that model's output limit from
 * 4096 to 8192 tokens (https://x.com/alexalbert__/status/1812921642143900036). Later models
 * have large limits without a beta header.
 */
export function anthropicBetaHeader(model: string): string | undefined {
  return model.startsWith('claude-3-5-sonnet') ? 'max-tokens-3-5-sonnet-2024-07-15' : undefined;
}

/** Anthropic's paths per mode. */
const PATHS: Partial<Record<RelayMode, string>> = { chat: '/v1/messages', messages: '/v1/messages', 'messages.count_tokens': '/v1/messages/count_tokens' };

/**
 * Anthropic (14), native Messages API: `POST {base}/v1/messages` with `x-api-key` and
 * `anthropic-version`. OpenAI chat requests, replies and streams are converted both ways;
 * Messages clients (`messages`, `messages.count_tokens`) are served natively: their bytes go
 * upstream untouched (model mapping aside) with their own `anthropic-version` and
 * `anthropic-beta` headers.
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly name = 'Anthropic Claude';
  readonly wireFormat = 'anthropic' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat', 'messages', 'messages.count_tokens']);

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, _model: string): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return `${resolveBaseUrl(ch)}${PATHS[mode] ?? '/v1/messages'}`;
  }

  /** `info.model` (the mapped model) selects the Claude 3.5 Sonnet beta header. */
  requestHeaders(ch: ChannelContext, mode: RelayMode, incoming: IncomingHeaders, info?: UpstreamRequestInfo): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: incoming.accept || 'application/json',
      'x-api-key': ch.key,
      'anthropic-version': ANTHROPIC_VERSION,
    };
    if (mode !== 'chat') {
      // A Messages client chose its API version and betas (prompt caching, PDFs, 1M context...).
      const version = incoming.protocol?.['anthropic-version'];
      if (version) headers['anthropic-version'] = version;
      const betas = incoming.protocol?.['anthropic-beta'];
      if (betas) headers['anthropic-beta'] = betas;
      return headers;
    }
    const beta = info?.model ? anthropicBetaHeader(info.model) : undefined;
    if (beta) headers['anthropic-beta'] = beta;
    return headers;
  }

  /** Anthropic reports usage in every stream itself; `stream_options` is an OpenAI field it would reject. */
  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  /** Chat bodies are converted; Messages bodies are already Anthropic's (undefined: forward the client's bytes). */
  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode === 'messages' || mode === 'messages.count_tokens') return undefined;
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toAnthropicRequest(body, ctx);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromAnthropicResponse(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertAnthropicStreamEvent(event, state);
  }
}

/** Registry factory for channel type 14. */
export function createAnthropicAdapter(defaultModels: readonly string[]): AnthropicAdapter {
  return new AnthropicAdapter(defaultModels);
}
