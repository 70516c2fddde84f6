import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '@oneapi/data';
import { surfaceOf, type OpenAIErrorObject } from './error-surface';
import { RelayErrorCode, RelayException, UpstreamHttpError } from './relay.exception';

/** OpenAI's error body: what every OpenAI SDK parses into its error classes. */
export interface OpenAIErrorBody {
  error: OpenAIErrorObject;
}

export const REQUEST_ID_HEADER = 'X-Oneapi-Request-Id';
/** The header the OpenAI SDKs read into `request_id`. */
export const OPENAI_REQUEST_ID_HEADER = 'x-request-id';
/** What a browser may read from a relay response (the SDKs' request id, retry hints). */
export const CORS_EXPOSE = `${OPENAI_REQUEST_ID_HEADER}, ${REQUEST_ID_HEADER}, request-id, retry-after, x-oneapi-ignored-params`;

/** HTTP status of each relay error code (exhaustive: a new code fails the type check here). */
export function statusOf(code: RelayErrorCode): number {
  switch (code) {
    case RelayErrorCode.MissingApiKey:
    case RelayErrorCode.InvalidApiKey:
    case RelayErrorCode.TokenExpired:
    case RelayErrorCode.TokenExhausted:
      return 401;
    case RelayErrorCode.TokenDisabled:
    case RelayErrorCode.UserDisabled:
    case RelayErrorCode.ModelNotAllowed:
    case RelayErrorCode.IpNotAllowed:
    case RelayErrorCode.ChannelPinForbidden:
    case RelayErrorCode.InsufficientTokenQuota:
    case RelayErrorCode.InsufficientUserQuota:
      return 403;
    case RelayErrorCode.InvalidRequest:
    case RelayErrorCode.ChannelPinInvalid:
    case RelayErrorCode.EndpointNotSupported:
      return 400;
    case RelayErrorCode.ModelNotFound:
    case RelayErrorCode.NotFound:
      return 404;
    case RelayErrorCode.BodyTooLarge:
      return 413;
    case RelayErrorCode.UnsupportedMediaType:
      return 415;
    case RelayErrorCode.UpstreamSaturated:
    case RelayErrorCode.RateLimitExceeded:
    case RelayErrorCode.ConcurrencyLimitExceeded:
      return 429;
    case RelayErrorCode.ApiNotImplemented:
      return 501;
    case RelayErrorCode.UpstreamError:
    case RelayErrorCode.UpstreamAuthError:
    case RelayErrorCode.UpstreamUnreachable:
      return 502;
    case RelayErrorCode.NoAvailableChannel:
    case RelayErrorCode.ServiceUnavailable:
    case RelayErrorCode.ServerBusy:
    case RelayErrorCode.ChannelCapacityExceeded:
      return 503;
    case RelayErrorCode.UpstreamTimeout:
      return 504;
    case RelayErrorCode.Internal:
      return 500;
  }
}

function typeOf(status: number): string {
  if (status === 400 || status === 404 || status === 413 || status === 415) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  return 'one_api_error';
}

/**
 * The relay's one exception filter: any error → `{status, body}` in OpenAI's shape with the
 * request id appended to the message (as One API does), never a stack trace or upstream URL.
 */
export function toOpenAIError(error: unknown, requestId: string): { status: number; body: OpenAIErrorBody } {
  const suffix = ` (request id: ${requestId})`;
  if (error instanceof RelayException) {
    const status = statusOf(error.code);
    // Our own rate limits (SPEC 11) carry their own type; an upstream's 429 stays rate_limit_error.
    const type = error.code === RelayErrorCode.RateLimitExceeded || error.code === RelayErrorCode.ConcurrencyLimitExceeded ? 'rate_limit_exceeded' : typeOf(status);
    return { status, body: { error: { message: error.message + suffix, type, param: error.param, code: error.detailCode ?? error.code } } };
  }
  if (error instanceof UpstreamHttpError) {
    return { status: error.status, body: { error: { ...error.error, message: error.error.message + suffix } } };
  }
  // Fastify's own errors (body limit, content-type parser, JSON syntax).
  const fe = error as { statusCode?: number; code?: string; message?: string };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const status = fe.statusCode;
    const code =
      status === 413 ? RelayErrorCode.BodyTooLarge : status === 415 ? RelayErrorCode.UnsupportedMediaType : RelayErrorCode.InvalidRequest;
    const message = status === 413 ? 'request body is too large' : (fe.message ?? 'bad request');
    return { status, body: { error: { message: message + suffix, type: typeOf(status), param: null, code } } };
  }
  return {
    status: 500,
    body: { error: { message: 'internal error' + suffix, type: 'one_api_error', param: null, code: RelayErrorCode.Internal } },
  };
}

/**
 * Sends an error on a reply that has not started (or on the raw socket after hijack), in OpenAI's
 * shape or, on a route of another API (`config.errorSurface`), in that API's.
 */
export function sendRelayError(request: FastifyRequest, reply: FastifyReply, cause: unknown): void {
  // A database that cannot serve (down, out of connections, locked) is the caller's cue to retry.
  const error = isDatabaseUnavailable(cause)
    ? new RelayException(RelayErrorCode.ServiceUnavailable, 'the service is temporarily unavailable, please retry', null, null, 1)
    : cause;
  const { status, body } = toOpenAIError(error, request.id);
  if (reply.sent || reply.raw.headersSent) {
    if (!reply.raw.writableEnded) reply.raw.end();
    return;
  }
  const surface = surfaceOf(request);
  const json = JSON.stringify(surface ? surface.errorBody(status, body.error, request.id) : body);
  const seconds = error instanceof RelayException || error instanceof UpstreamHttpError ? error.retryAfterSeconds : null;
  const retryAfter = seconds !== null ? String(seconds) : null;
  if ((reply as { hijacked?: boolean }).hijacked) {
    reply.raw.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
      [REQUEST_ID_HEADER]: request.id,
      [OPENAI_REQUEST_ID_HEADER]: request.id,
      'access-control-allow-origin': '*',
      'access-control-expose-headers': CORS_EXPOSE,
      ...(surface?.requestIdHeader ? { [surface.requestIdHeader]: request.id } : {}),
      ...(retryAfter ? { 'retry-after': retryAfter } : {}),
    });
    reply.raw.end(json);
    return;
  }
  if (retryAfter) void reply.header('retry-after', retryAfter);
  // The request-id headers were set by the relay's onRequest hook.
  void reply.code(status).type('application/json').send(json);
}
