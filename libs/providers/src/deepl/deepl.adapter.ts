import type { ChannelContext, ConversionContext, IncomingHeaders, ProviderAdapter, RelayMode, ResponseConversion, SseEvent, StreamConversion, StreamDecoder, StreamState, UpstreamRequestInfo } from '../adapter.types';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { convertDeepLEvent, createDeepLDecoder, fromDeepLResponse, toDeepLRequest } from './deepl-chat';

/** DeepL's two hosts: keys of the free plan end in `:fx` (https://developers.deepl.com/docs/getting-started/auth). */
const FREE_HOST = 'https://api-free.deepl.com';
const PRO_HOST = 'https://api.deepl.com';

/**
 * DeepL (38), as One API's relay/adaptor/deepl: the last message translated by
 * `POST {base}/v2/translate` (`Authorization: DeepL-Auth-Key ...`) into the language the model
 * names (`deepl-en`, `deepl-ja`, ...). Without a base URL the key picks the host (free keys end
 * in `:fx`). DeepL does not stream: streamed requests get the translation as one chunk.
 */
export class DeepLAdapter implements ProviderAdapter {
  readonly name = 'DeepL';
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);
  readonly streamContentType = 'application/json';

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, _model: string, _info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    const own = (ch.baseUrl ?? '').trim().replace(/\/+$/, '');
    const base = own !== '' ? own : ch.key.trim().endsWith(':fx') ? FREE_HOST : PRO_HOST;
    return `${base}/v2/translate`;
  }

  requestHeaders(ch: ChannelContext, mode: RelayMode, _incoming: IncomingHeaders): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json', accept: 'application/json', authorization: `DeepL-Auth-Key ${ch.key}` };
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toDeepLRequest(body, ctx);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromDeepLResponse(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  createStreamDecoder(): StreamDecoder {
    return createDeepLDecoder();
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertDeepLEvent(event, state);
  }
}
