import type { Dispatcher } from 'undici';

/**
 * The provider adapter contract: One API's `relay/adaptor.Adaptor` interface in TypeScript.
 *
 * One API's interface is GetRequestURL, SetupRequestHeader, ConvertRequest, DoResponse (returns
 * usage), GetModelList and GetChannelName. Here:
 * - URL and headers are pure functions of the channel, the relay mode and the (mapped) model;
 * - the body is NOT touched by adapters speaking OpenAI's wire format: `convertRequest` is absent,
 *   so the relay forwards the client's bytes (replacing only `model` when mapping changed it);
 * - adapters for other wire formats implement `convertRequest`, `convertResponse` and
 *   `convertStreamEvent` as pure functions, with per-request stream state passed in;
 * - capabilities are declared (`endpoints`): any other mode answers 501 `api_not_implemented`.
 */

/** The OpenAI endpoints the relay serves (SPEC section 6). */
export type RelayMode =
  | 'chat'
  | 'completions'
  | 'embeddings'
  | 'moderations'
  | 'images'
  | 'audio.speech'
  | 'audio.transcriptions'
  | 'audio.translations'
  | 'edits'
  | 'messages'
  | 'messages.count_tokens'
  | 'responses'
  | 'rerank'
  | 'images.edits'
  | 'images.variations';

/** Every relay mode, in a stable order. */
export const RELAY_MODES: readonly RelayMode[] = [
  'chat',
  'completions',
  'embeddings',
  'moderations',
  'images',
  'audio.speech',
  'audio.transcriptions',
  'audio.translations',
  'edits',
  'messages',
  'messages.count_tokens',
  'responses',
  'rerank',
  'images.edits',
  'images.variations',
];

/** OpenAI's path for each mode (the suffix after the version prefix is what providers reuse). */
export const OPENAI_PATHS: Readonly<Record<RelayMode, string>> = {
  chat: '/v1/chat/completions',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  moderations: '/v1/moderations',
  images: '/v1/images/generations',
  'audio.speech': '/v1/audio/speech',
  'audio.transcriptions': '/v1/audio/transcriptions',
  'audio.translations': '/v1/audio/translations',
  edits: '/v1/edits',
  messages: '/v1/messages',
  'messages.count_tokens': '/v1/messages/count_tokens',
  responses: '/v1/responses',
  rerank: '/v1/rerank',
  'images.edits': '/v1/images/edits',
  'images.variations': '/v1/images/variations',
};

/** The relay mode of an incoming `/v1` path (query string ignored); undefined for other paths. */
export function relayModeOfPath(path: string): RelayMode | undefined {
  const p = path.split('?')[0].replace(/\/+$/, '');
  if (/^\/v1\/engines\/[^/]+\/embeddings$/.test(p)) return 'embeddings';
  for (const mode of RELAY_MODES) if (OPENAI_PATHS[mode] === p) return mode;
  return undefined;
}

/** What an adapter needs to know about the channel it sends to. */
export interface ChannelContext {
  id: number;
  /** One API's numeric channel type. */
  type: number;
  /** The upstream credential (already decrypted). */
  key: string;
  /** The channel's `base_url`; '' or undefined means "the type's default base URL". */
  baseUrl?: string | null;
  /**
   * The channel's `config` JSON as strings (e.g. `{ api_version: '2024-10-21' }`). For channels
   * imported from old One API versions, pass the legacy `other` column as `api_version` on Azure.
   */
  config: Record<string, string>;
}

/** Request headers of the client call that the upstream call carries over. */
export interface IncomingHeaders {
  /** The client's Content-Type, verbatim (multipart keeps its boundary). */
  contentType?: string;
  accept?: string;
  /**
   * Headers of a client protocol the upstream speaks natively (lower-case names, e.g.
   * `anthropic-version`, `anthropic-beta` on /v1/messages): the adapter serving that protocol's
   * mode carries them over; every other adapter ignores them.
   */
  protocol?: Readonly<Record<string, string>>;
}

/**
 * Per-request facts that some upstream URLs and headers depend on. Optional so that adapters
 * and callers written before it keep working; the relay should always pass it.
 */
export interface UpstreamRequestInfo {
  /** The client asked for a stream (Gemini streams from a different URL: `streamGenerateContent?alt=sse`). */
  stream?: boolean;
  /** The model sent upstream, after mapping (Anthropic sets a beta header for some models). */
  model?: string;
}

/** The upstream wire format: `openai` means bodies and responses pass through unchanged. */
export type WireFormat = 'openai' | 'anthropic' | 'gemini' | 'cohere';

/** OpenAI's usage block. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Of `prompt_tokens`, those read from the provider's prompt cache (billed at the cache-read ratio). */
  cache_read_tokens?: number;
  /** Of `prompt_tokens`, those written to the provider's prompt cache (billed at the cache-write ratio). */
  cache_write_tokens?: number;
}

/** One Server-Sent Event as parsed by eventsource-parser (`event` is undefined for plain `data:` events). */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Per-request state threaded through `convertStreamEvent`; created by `createStreamState`. */
export interface StreamState {
  /** OpenAI `id` for the chunks this stream emits. */
  id: string;
  /** The model name reported to the client (the one it asked for). */
  model: string;
  created: number;
  /** The final usage, once the provider reported it (the relay bills it). */
  usage?: Usage;
  /**
   * Usage the provider reported before its final count (Anthropic's message_start, Gemini's
   * running usageMetadata): prompt tokens are final, completion tokens may lag what was
   * delivered. A stream cut short before `usage` is billed on it.
   */
  reportedUsage?: Usage;
  finishReason?: string | null;
  /** Provider tool-call id → OpenAI `tool_calls[].index`, so deltas keep a stable index. */
  toolCallIndex: Map<string, number>;
  /** Adapter-specific scratch space. */
  scratch: Record<string, unknown>;
}

/** Result of converting one upstream stream event. */
export interface StreamConversion {
  /** OpenAI `chat.completion.chunk` objects to send as `data:` lines, in order. */
  chunks: Record<string, unknown>[];
  /** True when the upstream stream is complete (the relay then sends `data: [DONE]`). */
  done: boolean;
}

/** Result of converting a non-streamed upstream response. */
export interface ResponseConversion {
  /** OpenAI-shaped response body. */
  body: Record<string, unknown>;
  usage?: Usage;
}

/** Per-request facts a conversion may need. */
export interface ConversionContext {
  /** The model the client asked for (reported back in responses). */
  requestModel: string;
  /** The model sent upstream (after mapping). */
  upstreamModel: string;
  /** The client's request body (a reply conversion may restore what the upstream drops, e.g. rerank documents). */
  request?: Record<string, unknown>;
  /** The channel, for a request conversion that puts channel settings in the body (AIProxy Library's `libraryId`). */
  channel?: ChannelContext;
}

/** The upstream request as the exchange built it (final URL, headers and body), for `authorize`. */
export interface UpstreamRequestToAuthorize {
  url: string;
  method: 'POST';
  headers: Readonly<Record<string, string>>;
  body: Buffer | string;
}

/** What an auth step produced: the headers to send and, for query-string tokens (Baidu), the URL. */
export interface AuthorizedRequest {
  headers: Record<string, string>;
  url?: string;
}

/** Outbound HTTP for an adapter's auth step (a token exchange), through the relay's upstream client. */
export interface AuthHttp {
  post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }>;
}

/** Re-frames a stream that is not SSE (AWS event stream) as SSE bytes; throws on corrupt framing. */
export interface StreamDecoder {
  push(chunk: Buffer): Buffer;
  /** The upstream ended: what is left (throws when a frame was cut short). */
  end(): Buffer;
}

/**
 * Receives the reply of an adapter's own transport: undici's classic dispatch callbacks (the
 * relay's `UpstreamCall` implements them). `onData` returning false asks for a pause until the
 * `resume` given to `onHeaders` is called; `abort` (from `onConnect`) ends the exchange, after
 * which `onError` reports its reason.
 */
export interface UpstreamReplyHandler {
  onConnect(abort: (err?: Error) => void): void;
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

/** What an adapter's own transport gets from the upstream client. */
export interface TransportContext {
  /** The dispatcher an HTTP request would take: the shared agent, RELAY_PROXY's or the channel's proxy. */
  dispatcher: Dispatcher;
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  /** Longest silence of the upstream between two parts of its reply (0: none). */
  idleTimeoutMs: number;
}

export interface ProviderAdapter {
  /** Channel name for logs and the console (One API's GetChannelName). */
  readonly name: string;
  readonly wireFormat: WireFormat;
  /** Declared capabilities; modes not listed answer 501 `api_not_implemented`. */
  readonly endpoints: ReadonlySet<RelayMode>;
  /** Default model list (One API's GetModelList), from the channel-type registry. */
  readonly defaultModels: readonly string[];
  /**
   * The upstream cannot fetch arbitrary image URLs (Gemini): with USER_CONTENT_REQUEST_PROXY set,
   * the relay downloads http(s) `image_url`s of chat requests through it and sends them inline.
   */
  readonly inlinesImageUrls?: boolean;
  /** Why the adapter serves nothing, when `endpoints` is empty (for the 501 message and the console). */
  readonly notImplementedReason?: string;

  /**
   * Full upstream URL. `model` is the model after mapping. Throws `ChannelConfigError` when the
   * channel lacks a required base URL, `AdapterNotImplementedError` for undeclared modes.
   */
  requestUrl(ch: ChannelContext, mode: RelayMode, model: string, info?: UpstreamRequestInfo): string;

  /**
   * Upstream headers: auth plus the carried-over Content-Type/Accept. The relay adds nothing
   * provider-specific; it may add its own (e.g. a request id) and must drop hop-by-hop ones.
   */
  requestHeaders(ch: ChannelContext, mode: RelayMode, incoming: IncomingHeaders, info?: UpstreamRequestInfo): Record<string, string>;

  /**
   * Whether the upstream accepts `stream_options: {include_usage: true}` on streamed chat and
   * completions. When true the relay asks for usage upstream (and strips the usage-only chunk
   * when the client did not ask for it); when false it counts tokens locally.
   */
  acceptsStreamOptions(ch: ChannelContext): boolean;

  /**
   * Body transform for non-OpenAI wire formats. Absent, or undefined returned for a mode (a
   * client protocol the upstream speaks natively), means "forward the client's bytes" (the
   * relay replaces `model` itself when mapping changed it).
   */
  convertRequest?(mode: RelayMode, body: Record<string, unknown>, ctx: ConversionContext): unknown;
  /** Non-streamed response transform to OpenAI's shape, with the usage it reports. */
  convertResponse?(mode: RelayMode, body: unknown, ctx: ConversionContext): ResponseConversion;
  /** Fresh per-request stream state. */
  createStreamState?(ctx: ConversionContext): StreamState;
  /** One upstream SSE event → zero or more OpenAI chunks. Pure except for `state`. */
  convertStreamEvent?(event: SseEvent, state: StreamState): StreamConversion;

  /**
   * Async auth run once the body is final (SigV4 over the body, an OAuth token exchange): returns
   * the headers to send (and the URL when the token rides in the query). Absent on pass-through
   * adapters, so their path has no extra await. Throws `UpstreamAuthorizationError` when the
   * provider refused the channel's credentials.
   */
  authorize?(ch: ChannelContext, request: UpstreamRequestToAuthorize, http: AuthHttp): Promise<AuthorizedRequest>;
  /** Content type of a streamed reply that is not SSE; such a reply goes through `createStreamDecoder`. */
  readonly streamContentType?: string;
  /** Fresh per-request decoder for `streamContentType` replies. */
  createStreamDecoder?(): StreamDecoder;
  /**
   * The upstream answers only as a stream (Coze v3 chat): a client that asked for JSON gets the
   * streamed reply converted and assembled into one completion (`assembleStreamedReply`).
   */
  readonly upstreamStreams?: boolean;
  /**
   * The adapter sends the prepared (and authorized) request itself because the upstream does not
   * speak HTTP (Spark v1's WebSocket), reporting the reply to `handler` as an HTTP exchange would:
   * a status, headers, and a body its converters read (SSE for `convertStreamEvent`). Absent on
   * HTTP adapters, which the upstream client dispatches itself.
   */
  transport?(request: UpstreamRequestToAuthorize, handler: UpstreamReplyHandler, ctx: TransportContext): void;
}
