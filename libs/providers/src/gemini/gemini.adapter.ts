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
import { fromGeminiResponse, toGeminiRequest } from './gemini-chat';
import { fromGeminiEmbeddingResponse, geminiModelId, toGeminiEmbeddingRequest } from './gemini-embeddings';
import { convertGeminiStreamEvent } from './gemini-stream';

/**
 * `v1beta`: the version that has `systemInstruction`, tools and every current model. A channel's
 * `config.api_version` overrides it, as One API's `meta.Config.APIVersion` does.
 */
export const GEMINI_DEFAULT_API_VERSION = 'v1beta';

/** The version for channels without `config.api_version`: GEMINI_VERSION when set (see `setGeminiDefaultVersion`). */
let defaultVersion = GEMINI_DEFAULT_API_VERSION;

/**
 * Sets the process-wide Gemini API version for channels that name none (One API's GEMINI_VERSION);
 * '' or undefined restores `GEMINI_DEFAULT_API_VERSION`. Called once at start-up.
 */
export function setGeminiDefaultVersion(version: string | undefined): void {
  defaultVersion = version?.trim() || GEMINI_DEFAULT_API_VERSION;
}

export function geminiApiVersion(ch: ChannelContext): string {
  const v = (ch.config.api_version ?? '').trim();
  return v !== '' ? v : defaultVersion;
}

/**
 * Google Gemini (24), native API (One API's relay/adaptor/gemini):
 * `POST {base}/{version}/models/{model}:generateContent` (`:streamGenerateContent?alt=sse` for
 * streams, `:batchEmbedContents` for embeddings) with the key in `x-goog-api-key`.
 *
 * Native rather than Google's OpenAI-compatible endpoint because the compatible endpoint is a
 * beta that drops or rejects fields (usage in streams only on request, no `n`, partial tool and
 * image support), while generateContent is what One API speaks for type 24 — so imported channels
 * behave the same. Channels that want the compatible endpoint use type 51.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly name = 'Google Gemini';
  readonly wireFormat = 'gemini' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat', 'embeddings']);
  /** Gemini reads only inline data and its own file URIs (One API downloads image URLs for it too). */
  readonly inlinesImageUrls = true;

  constructor(readonly defaultModels: readonly string[]) {}

  /** `info.stream` selects the streaming method; without it the reply is one JSON body. */
  requestUrl(ch: ChannelContext, mode: RelayMode, model: string, info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const action = mode === 'embeddings' ? 'batchEmbedContents' : info?.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return `${resolveBaseUrl(ch)}/${geminiApiVersion(ch)}/models/${encodeURIComponent(geminiModelId(model))}:${action}`;
  }

  requestHeaders(ch: ChannelContext, mode: RelayMode, incoming: IncomingHeaders, _info?: UpstreamRequestInfo): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'Content-Type': 'application/json', Accept: incoming.accept || 'application/json', 'x-goog-api-key': ch.key };
  }

  /** Gemini reports usage in every stream's last event; `stream_options` is not a Gemini field. */
  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode === 'chat') return toGeminiRequest(body);
    if (mode === 'embeddings') return toGeminiEmbeddingRequest(body, ctx);
    throw new AdapterNotImplementedError(this.name, mode);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode === 'chat') return fromGeminiResponse(body, ctx);
    if (mode === 'embeddings') return fromGeminiEmbeddingResponse(body, ctx);
    throw new AdapterNotImplementedError(this.name, mode);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertGeminiStreamEvent(event, state);
  }
}

/** Registry factory for channel type 24. */
export function createGeminiAdapter(defaultModels: readonly string[]): GeminiAdapter {
  return new GeminiAdapter(defaultModels);
}
