import type { ChannelContext, ConversionContext, IncomingHeaders, ProviderAdapter, RelayMode, ResponseConversion, SseEvent, StreamConversion, StreamState, UpstreamRequestInfo } from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { convertCozeStreamEvent, fromCozeJson, toCozeChatRequest } from './coze-chat';

/**
 * Coze (34): the bot chat API v3, `POST {base}/v3/chat` with a personal access token as Bearer;
 * the model names the bot (`bot-{bot_id}`, One API's convention). v3 answers synchronously only as
 * a stream, so every request streams upstream (`upstreamStreams`) and JSON clients get it assembled;
 * usage comes from `conversation.chat.completed`.
 */
export class CozeAdapter implements ProviderAdapter {
  readonly name = 'Coze';
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);
  readonly upstreamStreams = true;

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, _model: string, _info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return `${resolveBaseUrl(ch)}/v3/chat`;
  }

  requestHeaders(ch: ChannelContext, mode: RelayMode, _incoming: IncomingHeaders): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ch.key}` };
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toCozeChatRequest(body, ctx);
  }

  /** Only error replies are JSON. */
  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromCozeJson(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertCozeStreamEvent(event, state);
  }
}
