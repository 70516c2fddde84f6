import type { ChannelContext, ConversionContext, IncomingHeaders, ProviderAdapter, RelayMode, ResponseConversion } from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { fromCohereRerankResponse, toCohereRerankRequest } from './rerank';

/**
 * Cohere (type 35): its own wire format, Bearer auth. Rerank only for now (rerank.ts); the
 * request and reply transforms of each further endpoint live in their own file here.
 */
export class CohereAdapter implements ProviderAdapter {
  readonly name = 'Cohere';
  readonly wireFormat = 'cohere' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['rerank']);

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, _model: string): string {
    if (mode !== 'rerank') throw new AdapterNotImplementedError(this.name, mode);
    return `${resolveBaseUrl(ch)}/v2/rerank`;
  }

  requestHeaders(ch: ChannelContext, _mode: RelayMode, _incoming: IncomingHeaders): Record<string, string> {
    return { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${ch.key}` };
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, _ctx: ConversionContext): unknown {
    if (mode !== 'rerank') throw new AdapterNotImplementedError(this.name, mode);
    return toCohereRerankRequest(body);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'rerank') throw new AdapterNotImplementedError(this.name, mode);
    return { body: fromCohereRerankResponse(body, ctx.request, ctx.requestModel) };
  }
}
