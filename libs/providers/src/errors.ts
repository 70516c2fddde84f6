import type { RelayMode } from './adapter.types';

/** The channel type or relay mode is not served: the relay answers 501 `api_not_implemented`. */
export class AdapterNotImplementedError extends Error {
  constructor(
    readonly adapterName: string,
    readonly mode: RelayMode | undefined,
    reason?: string,
  ) {
    super(reason ?? `${mode ?? 'this endpoint'} is not implemented for channel type ${adapterName}`);
    this.name = 'AdapterNotImplementedError';
  }
}

/**
 * The channel is misconfigured (e.g. a Custom channel without base URL). The relay treats it as
 * a channel failure (retry elsewhere); the message names the channel, never its key.
 */
export class ChannelConfigError extends Error {
  constructor(
    readonly channelId: number,
    message: string,
  ) {
    super(`channel #${channelId}: ${message}`);
    this.name = 'ChannelConfigError';
  }
}

/**
 * An adapter's auth step (`authorize`) failed: `status` is the token endpoint's HTTP status
 * (0 when it could not be reached). The message never carries the credential.
 */
export class UpstreamAuthorizationError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamAuthorizationError';
  }
}

/**
 * The request asks for something the channel's wire format cannot express (e.g. `n` > 1 on
 * Anthropic, audio input on Anthropic). The relay answers 400 naming `param` (OpenAI's error
 * shape) unless another channel of the model can serve the request as it is.
 */
export class UnsupportedParameterError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnsupportedParameterError';
  }
}

/**
 * A 2xx reply that is an error in the provider's own terms (Baidu and Tencent answer errors with
 * HTTP 200): thrown by `convertResponse`, it is classified like an error reply of `status`, so a
 * refused key is an auth error and a bad request the caller's, not an unreadable reply.
 */
export class UpstreamReplyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'upstream_error',
  ) {
    super(message);
    this.name = 'UpstreamReplyError';
  }

  /** The error as an upstream error body, for `classifyUpstreamError`. */
  get text(): string {
    return JSON.stringify({ error: { message: this.message, type: this.type } });
  }
}
