import type { OpenAIErrorObject } from '../../errors/error-surface';

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors). */
const ANTHROPIC_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

/** The relay's stream-end reasons that are timeouts. */
const TIMEOUT_CODES = new Set(['idle_timeout', 'total_timeout', 'upstream_timeout']);

/**
 * The Anthropic error type for a status (0 when there is none, mid-stream) and the relay's or the
 * upstream's type or code: an Anthropic type passes as it is, otherwise the status decides, as
 * Anthropic's own table does.
 */
export function anthropicErrorType(status: number, typeOrCode: string | null): string {
  if (typeOrCode && ANTHROPIC_TYPES.has(typeOrCode)) return typeOrCode;
  if (typeOrCode && TIMEOUT_CODES.has(typeOrCode)) return 'timeout_error';
  switch (status) {
    case 400:
    case 409:
    case 415:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return 'api_error';
  }
}

/**
 * A relay error in Anthropic's shape: `{type:"error", error:{type, message}, request_id}`. The
 * status stays the relay's (the SDKs pick their error class by status).
 */
export function messagesErrorBody(status: number, error: OpenAIErrorObject, requestId: string): unknown {
  const type = anthropicErrorType(status, ANTHROPIC_TYPES.has(error.type) ? error.type : null);
  return { type: 'error', error: { type, message: error.message }, request_id: requestId };
}
