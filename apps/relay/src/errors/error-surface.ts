import type { FastifyRequest } from 'fastify';

/** OpenAI's error object: the relay's own terms for every error, whatever surface answers it. */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/**
 * A /v1 surface that answers errors in another API's shape (Anthropic's on /v1/messages). Set as
 * the route's `config.errorSurface`; the relay's one filter asks it for the body.
 */
export interface ErrorSurface {
  errorBody(status: number, error: OpenAIErrorObject, requestId: string): unknown;
  /** The header this API's SDK reads the request id from (`request-id` for Anthropic's), sent besides `x-request-id`. */
  readonly requestIdHeader?: string;
}

/** The error surface of the route a request matched; undefined for OpenAI's own shape. */
export function surfaceOf(req: FastifyRequest): ErrorSurface | undefined {
  const config = (req.routeOptions as { config?: { errorSurface?: ErrorSurface } } | undefined)?.config;
  return config?.errorSurface;
}
