import type { ChannelContext, ConversionContext, IncomingHeaders, ProviderAdapter, RelayMode, ResponseConversion, SseEvent, StreamConversion, StreamState } from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { fromCohereChatResponse, toCohereChatRequest } from './cohere-chat';
import { convertCohereStreamEvent } from './cohere-stream';
import { fromCohereRerankResponse, toCohereRerankRequest } from './rerank';

/**
 * Cohere (type 35): its own wire format, Bearer auth. Chat through v2 `/v2/chat` (cohere-chat.ts,
 * cohere-stream.ts) and rerank through `/v2/rerank` (rerank.ts).
 */
export class CohereAdapter implements ProviderAdapter {
  readonly name = 'Cohere';
  readonly wireFormat = 'cohere' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat', 'rerank']);

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, _model: string): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return `${resolveBaseUrl(ch)}/v2/${mode === 'chat' ? 'chat' : 'rerank'}`;
  }

  requestHeaders(ch: ChannelContext, mode: RelayMode, incoming: IncomingHeaders): Record<string, string> {
    return { 'Content-Type': 'application/json', Accept: mode === 'chat' && incoming.accept ? incoming.accept : 'application/json', Authorization: `Bearer ${ch.key}` };
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode === 'chat') return toCohereChatRequest(body, ctx);
    if (mode !== 'rerank') throw new AdapterNotImplementedError(this.name, mode);
    return toCohereRerankRequest(body);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode === 'chat') return fromCohereChatResponse(body, ctx);
    if (mode !== 'rerank') throw new AdapterNotImplementedError(this.name, mode);
    return { body: fromCohereRerankResponse(body, ctx.request, ctx.requestModel) };
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertCohereStreamEvent(event, state);
  }
}
