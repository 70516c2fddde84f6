/** Every error the relay answers with itself; the filter maps each to its HTTP status. */
export enum RelayErrorCode {
  MissingApiKey = 'missing_api_key',
  InvalidApiKey = 'invalid_api_key',
  TokenExpired = 'token_expired',
  TokenExhausted = 'token_exhausted',
  TokenDisabled = 'token_disabled',
  UserDisabled = 'user_disabled',
  ModelNotAllowed = 'model_not_allowed',
  IpNotAllowed = 'ip_not_allowed',
  ChannelPinForbidden = 'channel_pin_forbidden',
  ChannelPinInvalid = 'invalid_channel_id',
  InsufficientTokenQuota = 'insufficient_token_quota',
  InsufficientUserQuota = 'insufficient_user_quota',
  InvalidRequest = 'invalid_request_error',
  BodyTooLarge = 'request_body_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  ModelNotFound = 'model_not_found',
  NotFound = 'not_found',
  ApiNotImplemented = 'api_not_implemented',
  /** The model exists, but no channel serving it offers this endpoint (e.g. rerank on a chat-only type). */
  EndpointNotSupported = 'endpoint_not_supported',
  NoAvailableChannel = 'no_available_channel',
  UpstreamSaturated = 'upstream_saturated',
  RateLimitExceeded = 'rate_limit_exceeded',
  /** The caller's user or token already has its maximum of requests in flight. */
  ConcurrencyLimitExceeded = 'concurrency_limit_exceeded',
  /** This relay process is at RELAY_MAX_IN_FLIGHT. */
  ServerBusy = 'server_busy',
  /** Every channel serving the model is at its capacity (concurrency, RPM or TPM). */
  ChannelCapacityExceeded = 'channel_capacity_exceeded',
  UpstreamTimeout = 'upstream_timeout',
  UpstreamUnreachable = 'upstream_unreachable',
  UpstreamError = 'upstream_error',
  /** The upstream refused the channel's own credentials or billing (never the caller's key). */
  UpstreamAuthError = 'upstream_auth_error',
  ServiceUnavailable = 'service_unavailable',
  Internal = 'internal_error',
}

/** A relay failure with its code; `param` names the offending request field when there is one. */
export class RelayException extends Error {
  constructor(
    readonly code: RelayErrorCode,
    message: string,
    readonly param: string | null = null,
    /** A finer `code` for the body than the status class (One API's, e.g. `size_not_supported`). */
    readonly detailCode: string | null = null,
    /** Seconds for the `Retry-After` header (rate limits). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'RelayException';
  }
}

/**
 * An upstream's error answer as the client gets it: the status and OpenAI error body decided by
 * `classifyUpstreamError` in @oneapi/providers (sanitised: no key, URL or host of the channel).
 */
export class UpstreamHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: { message: string; type: string; param: string | null; code: string | null },
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(error.message);
    this.name = 'UpstreamHttpError';
  }
}
