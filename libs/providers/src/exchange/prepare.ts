import type { ChannelContext, ProviderAdapter, RelayMode, TransportContext, UpstreamReplyHandler, UpstreamRequestToAuthorize } from '../adapter.types';
import { AdapterNotImplementedError } from '../errors';
import { upstreamBody } from './request-body';
import { applyChannelSystemPrompt, applyChannelSystemPromptTo } from './system-prompt';

/** One client request, as the exchange needs it to build the upstream request. */
export interface PrepareInput {
  /** The parsed JSON body; for multipart, the text fields. */
  json: Record<string, unknown>;
  /** The client's bytes, forwarded as they are when nothing must change; `json` serialised when absent. */
  raw?: Buffer;
  /** `raw` as text, when the caller already decoded it (saves a decode on rewrites). */
  text?: string;
  multipart: boolean;
  /** The client's Content-Type, verbatim (multipart keeps its boundary). */
  contentType?: string;
  accept?: string;
  /** The model the client asked for (reported back to it). */
  requestModel: string;
  /** The model sent upstream, after the channel's model mapping. */
  upstreamModel: string;
  /** The client asked for a stream (only chat and completions stream). */
  stream: boolean;
  /** The client asked for the usage-only final chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** The channel's system prompt ('' for none): replaces the client's first system message or is put first (One API). */
  systemPrompt: string;
  /** Client protocol headers for an adapter serving that protocol natively (`IncomingHeaders.protocol`). */
  protocolHeaders?: Readonly<Record<string, string>>;
}

/** An upstream request ready for `UpstreamClient.send`. */
export interface PreparedUpstreamRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: Buffer | string;
  /**
   * Usage was requested upstream (`stream_options.include_usage`) for a streamed chat or
   * completion: the stream's last chunk carries it; drop that chunk when the client did not ask.
   */
  wantUsage: boolean;
  /** The channel's own outbound proxy (`config.proxy`), when it has one. */
  proxy?: string;
  /** The channel's system prompt replaced the client's or was put first (One API's log flag `system_prompt_reset`). */
  systemPromptReset: boolean;
  /** The adapter's own transport (`ProviderAdapter.transport`), which `UpstreamClient.send` uses instead of HTTP. */
  transport?: (request: UpstreamRequestToAuthorize, handler: UpstreamReplyHandler, ctx: TransportContext) => void;
}

/**
 * Builds the upstream request of one client request on one channel: URL and headers from the
 * adapter; the body is the client's bytes when nothing must change, the bytes with `model`
 * replaced when mapping changed it, `stream_options.include_usage` added when the adapter accepts
 * it on a streamed chat/completion (or the client's `stream_options` removed when it rejects
 * them), the channel's system prompt first; adapters of other wire formats convert the body.
 *
 * Throws `AdapterNotImplementedError` when the channel type does not serve `mode` (or this
 * request shape) and `ChannelConfigError` when the channel lacks something it needs (a base URL).
 */
export function prepareUpstreamRequest(adapter: ProviderAdapter, ch: ChannelContext, mode: RelayMode, input: PrepareInput): PreparedUpstreamRequest {
  if (!adapter.endpoints.has(mode)) throw new AdapterNotImplementedError(adapter.name, mode, `${mode} is not supported by channel type ${adapter.name}`);
  const { upstreamModel, systemPrompt } = input;
  const streamed = input.stream && (mode === 'chat' || mode === 'completions');
  const acceptsStreamOptions = streamed && adapter.acceptsStreamOptions(ch);
  // Native adapters pick a different URL for streams (Gemini) or headers per model (Anthropic).
  const info = { stream: input.stream, model: upstreamModel };
  const url = adapter.requestUrl(ch, mode, upstreamModel, info);
  const headers = adapter.requestHeaders(ch, mode, { contentType: input.contentType, accept: input.accept, protocol: input.protocolHeaders }, info);
  // One API's channel system prompt, before any conversion so that every wire format carries it.
  let systemPromptReset = systemPrompt !== '' && mode === 'chat' && Array.isArray(input.json.messages) && input.json.messages.length > 0;
  // A client protocol passed through natively carries the prompt in its own field.
  const native = applyChannelSystemPromptTo(mode, input.json, systemPrompt);
  if (native) {
    input = { ...input, json: native.body, raw: undefined, text: undefined };
    systemPromptReset = native.reset;
  }
  let body: Buffer | string | undefined;
  if (adapter.convertRequest) {
    const json: Record<string, unknown> = { ...input.json, model: upstreamModel };
    if (systemPromptReset) json.messages = applyChannelSystemPrompt(json.messages as unknown[], systemPrompt).messages;
    const converted = adapter.convertRequest(mode, json, { requestModel: input.requestModel, upstreamModel, channel: ch });
    // undefined: the adapter takes this mode in its own wire format (a native client protocol).
    if (converted !== undefined) body = JSON.stringify(converted);
  }
  if (body === undefined) {
    const raw = input.raw ?? Buffer.from(input.text ?? JSON.stringify(input.json));
    const client = { mode, json: input.json, text: input.text, model: input.requestModel, multipart: input.multipart, contentType: input.contentType, includeUsage: input.includeUsage };
    body = upstreamBody(client, raw, upstreamModel, acceptsStreamOptions, systemPrompt, streamed && !acceptsStreamOptions);
  }
  const proxy = ch.config.proxy?.trim();
  const prepared: PreparedUpstreamRequest = { url, method: 'POST', headers, body, wantUsage: acceptsStreamOptions, systemPromptReset, ...(proxy ? { proxy } : {}) };
  if (adapter.transport) prepared.transport = adapter.transport.bind(adapter);
  return prepared;
}
