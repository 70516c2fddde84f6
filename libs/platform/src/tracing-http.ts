import { SpanKind, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { extractParent, failSpan, type Tracing } from './tracing';

export interface HttpTracingOptions {
  /** Only requests whose URL starts with this are traced (e.g. `/api`). */
  prefix: string;
  /** The signed-in user, read when the response is sent (after the route's guards ran). */
  userId?: (req: FastifyRequest) => number | undefined;
}

const SPANS = new WeakMap<FastifyRequest, Span>();

/**
 * A SERVER span per request from Fastify's hooks: named `<METHOD> <route template>` (the route
 * as registered, so ids in paths do not multiply span names), with the status, the user id and
 * `error.type` on 5xx. An incoming `traceparent` is honoured as the parent.
 */
export function traceHttpRequests(fastify: FastifyInstance, tracing: Tracing, options: HttpTracingOptions): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (req.url.startsWith(options.prefix)) {
      const span = tracing.tracer.startSpan(
        req.method,
        { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method, [ATTR_URL_PATH]: req.url.split('?', 1)[0] } },
        extractParent(tracing, req.headers),
      );
      SPANS.set(req, span);
    }
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const span = SPANS.get(req);
    if (span) {
      SPANS.delete(req);
      const route = req.routeOptions.url;
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      const user = options.userId?.(req);
      if (user !== undefined) span.setAttribute('oneapi.user.id', user);
      if (reply.statusCode >= 500) failSpan(span, String(reply.statusCode));
      span.end();
    }
    done();
  });
}
