import type { ChannelContext, ConversionContext, IncomingHeaders, ProviderAdapter, RelayMode, ResponseConversion, SseEvent, StreamConversion, StreamState, UpstreamRequestInfo } from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { convertLibraryStreamEvent, fromLibraryResponse, libraryIdOf, toLibraryRequest } from './aiproxy-library-chat';

/**
 * AIProxy Library (21), as One API's relay/adaptor/aiproxy: a knowledge base answering the last
 * message at `POST {base}/api/library/ask` (Bearer key, `libraryId` from the channel config), its
 * sources appended to the answer. The library reports no usage, so the relay counts tokens.
 */
export class AIProxyLibraryAdapter implements ProviderAdapter {
  readonly name = 'AIProxy Library';
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);
  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, _model: string, _info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    libraryIdOf(ch);
    return `${resolveBaseUrl(ch)}/api/library/ask`;
  }

  requestHeaders(ch: ChannelContext, mode: RelayMode, incoming: IncomingHeaders): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json', accept: incoming.accept || 'application/json', authorization: `Bearer ${ch.key}` };
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    if (!ctx.channel) throw new AdapterNotImplementedError(this.name, mode, 'AIProxy Library needs the channel to name its knowledge base');
    return toLibraryRequest(body, ctx, libraryIdOf(ctx.channel));
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromLibraryResponse(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertLibraryStreamEvent(event, state);
  }
}
