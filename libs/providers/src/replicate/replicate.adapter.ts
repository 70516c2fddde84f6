import type {
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
} from '../adapter.types';
import { resolveBaseUrl } from '../base-url';
import { AdapterNotImplementedError } from '../errors';
import { newStreamState } from '../native/openai-chunks';
import { convertPredictionEvent, createPredictionDecoder, fromReplicatePrediction, toReplicatePrediction } from './replicate-chat';

/** Longest sync wait Replicate allows (https://replicate.com/docs/topics/predictions/create-a-prediction#sync-mode). */
export const REPLICATE_WAIT_SECONDS = 60;

/**
 * Replicate (46): `POST {base}/v1/models/{owner}/{name}/predictions` with the API token as Bearer
 * and `Prefer: wait`, so one exchange returns the finished prediction (its output and the token
 * counts it measured). A streamed request gets the same prediction as one burst of chunks; a
 * prediction still running after the wait is a 504, a failed one a 502.
 */
export class ReplicateAdapter implements ProviderAdapter {
  readonly name = 'Replicate';
  readonly wireFormat = 'openai' as const;
  readonly endpoints: ReadonlySet<RelayMode> = new Set<RelayMode>(['chat']);
  /** The finished prediction is JSON even when the client asked for a stream. */
  readonly streamContentType = 'application/json';

  constructor(readonly defaultModels: readonly string[]) {}

  requestUrl(ch: ChannelContext, mode: RelayMode, model: string, _info?: UpstreamRequestInfo): string {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    // One API's default base URL already ends in /v1/models/.
    const base = resolveBaseUrl(ch).replace(/\/v1\/models$/, '');
    const path = model.split('/').map(encodeURIComponent).join('/');
    return `${base}/v1/models/${path}/predictions`;
  }

  requestHeaders(ch: ChannelContext, mode: RelayMode, _incoming: IncomingHeaders): Record<string, string> {
    if (!this.endpoints.has(mode)) throw new AdapterNotImplementedError(this.name, mode);
    return { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${ch.key}`, prefer: `wait=${REPLICATE_WAIT_SECONDS}` };
  }

  acceptsStreamOptions(_ch: ChannelContext): boolean {
    return false;
  }

  convertRequest(mode: RelayMode, body: Record<string, unknown>, _ctx: ConversionContext): unknown {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return toReplicatePrediction(body);
  }

  convertResponse(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion {
    if (mode !== 'chat') throw new AdapterNotImplementedError(this.name, mode);
    return fromReplicatePrediction(body, ctx);
  }

  createStreamState(ctx: ConversionContext): StreamState {
    return newStreamState(ctx);
  }

  createStreamDecoder(): StreamDecoder {
    return createPredictionDecoder();
  }

  convertStreamEvent(event: SseEvent, state: StreamState): StreamConversion {
    return convertPredictionEvent(event, state);
  }
}
