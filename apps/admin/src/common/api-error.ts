/** Why an /api request failed; the exception filter maps each code to its HTTP status. */
export enum ApiErrorCode {
  BadRequest = 'bad_request',
  /** One or more options of a save were refused; `data.errors` names each key and why. */
  InvalidOptions = 'invalid_options',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  PasswordChangeRequired = 'password_change_required',
  NotFound = 'not_found',
  /** The route exists but not for this HTTP method (answered with an Allow header). */
  MethodNotAllowed = 'method_not_allowed',
  Conflict = 'conflict',
  PayloadTooLarge = 'payload_too_large',
  RateLimited = 'rate_limited',
  Unavailable = 'unavailable',
  /** The database is unreachable, out of connections or locked (SPEC section 13). */
  ServiceUnavailable = 'service_unavailable',
  Internal = 'internal',
}

/** Typed error thrown by admin services; answered as `{success:false, message, data, code}` (`data` null unless given). */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Machine-readable detail for clients (e.g. which fields were refused). */
    readonly data: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(message: string) {
    return new ApiError(ApiErrorCode.BadRequest, message);
  }
  static unauthenticated(message = 'not logged in and no access token given') {
    return new ApiError(ApiErrorCode.Unauthenticated, message);
  }
  static forbidden(message = 'permission denied') {
    return new ApiError(ApiErrorCode.Forbidden, message);
  }
  static notFound(message = 'not found') {
    return new ApiError(ApiErrorCode.NotFound, message);
  }
  static methodNotAllowed(allow: string) {
    return new ApiError(ApiErrorCode.MethodNotAllowed, `use ${allow} for this route`, { Allow: allow });
  }
  static conflict(message: string) {
    return new ApiError(ApiErrorCode.Conflict, message);
  }
}

export function statusOf(code: ApiErrorCode): number {
  switch (code) {
    case ApiErrorCode.BadRequest:
    case ApiErrorCode.InvalidOptions:
      return 400;
    case ApiErrorCode.Unauthenticated:
      return 401;
    case ApiErrorCode.Forbidden:
    case ApiErrorCode.PasswordChangeRequired:
      return 403;
    case ApiErrorCode.NotFound:
      return 404;
    case ApiErrorCode.MethodNotAllowed:
      return 405;
    case ApiErrorCode.Conflict:
      return 409;
    case ApiErrorCode.PayloadTooLarge:
      return 413;
    case ApiErrorCode.RateLimited:
      return 429;
    case ApiErrorCode.Unavailable:
    case ApiErrorCode.ServiceUnavailable:
      return 503;
    case ApiErrorCode.Internal:
      return 500;
    default: {
      const exhaustive: never = code;
      return exhaustive;
    }
  }
}
