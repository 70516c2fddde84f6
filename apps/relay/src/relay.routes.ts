import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ENDPOINTS, embeddings, type Endpoint } from './endpoints';
import { RelayErrorCode, RelayException } from './errors/relay.exception';
import { CORS_EXPOSE, OPENAI_REQUEST_ID_HEADER, REQUEST_ID_HEADER, sendRelayError } from './errors/relay-error.filter';
import { surfaceOf } from './errors/error-surface';
import { billingSubscription, billingUsage, getModel, listModels } from './models/models.handler';
import { countMessageTokens } from './endpoints/messages-count-tokens';
import { anthropicMessages } from './protocols/anthropic/messages-protocol';
import { responseById } from './endpoints/responses-by-id';
import { oneApiProxy } from './endpoints/oneapi-proxy';
import type { RelayServices } from './relay.services';

const DECOMPRESS: Record<string, (buf: Buffer, opts: { maxOutputLength: number }) => Promise<Buffer>> = {
  gzip: promisify(gunzip) as never,
  'x-gzip': promisify(gunzip) as never,
  deflate: promisify(inflate) as never,
  br: promisify(brotliDecompress) as never,
};

/** OpenAI paths One API knows but does not relay: 501 rather than 404. */
const NOT_IMPLEMENTED_PREFIXES = [
  '/v1/files',
  '/v1/fine-tunes',
  '/v1/fine_tuning',
  '/v1/assistants',
  '/v1/threads',
  '/v1/batches',
  '/v1/vector_stores',
  '/v1/uploads',
  '/v1/realtime',
  '/v1/organization',
];

/**
 * CORS for browser clients. Under the Fetch standard a wildcard `Access-Control-Allow-Headers`
 * never covers `Authorization`, so the preflight echoes the headers the browser asks for.
 */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-max-age': '86400',
};
const CORS_DEFAULT_HEADERS = 'authorization, content-type, x-api-key, openai-organization, openai-project, openai-beta, anthropic-version, anthropic-beta';
const HEADER_LIST = /^[\w-]+(\s*,\s*[\w-]+)*$/;

/** A media type as Fastify accepts it (type/subtype, optional parameters). */
const MEDIA_TYPE = /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(;.*)?$/;

/**
 * The request body as the relay's parser would have produced it: raw bytes (undefined for a
 * body-less request without a content type), Fastify's limits and errors (413 past the limit or a
 * larger content-length, 400 on a length mismatch, 415 on a malformed content type), then
 * decompressed with the cap applied after decompression.
 */
export function readRelayBody(req: FastifyRequest, limit: number): Promise<Buffer | undefined> {
  const headers = req.headers;
  const ct = headers['content-type'];
  if (ct !== undefined && !MEDIA_TYPE.test(ct)) {
    return Promise.reject(new RelayException(RelayErrorCode.UnsupportedMediaType, `unsupported content type ${ct}`));
  }
  const lengthHeader = headers['content-length'];
  if (ct === undefined && headers['transfer-encoding'] === undefined && (lengthHeader === undefined || lengthHeader === '0')) {
    return Promise.resolve(undefined);
  }
  const contentLength = Number(lengthHeader);
  const tooLarge = () => new RelayException(RelayErrorCode.BodyTooLarge, 'request body is too large');
  if (contentLength > limit) return Promise.reject(tooLarge());
  const raw = req.raw;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      raw.removeListener('data', onData);
      raw.removeListener('end', onEnd);
      raw.removeListener('error', onEnd);
    };
    function onData(chunk: Buffer) {
      received += chunk.length;
      if (received > limit) {
        cleanup();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    }
    function onEnd(error?: Error) {
      cleanup();
      if (error) return reject(Object.assign(error, { statusCode: 400 }));
      if (!Number.isNaN(contentLength) && received !== contentLength) {
        return reject(new RelayException(RelayErrorCode.InvalidRequest, 'request body size did not match content-length'));
      }
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
    }
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onEnd);
    raw.resume();
  }).then((buf) => decompressBody(buf, String(headers['content-encoding'] ?? 'identity').toLowerCase(), limit));
}

function decompressBody(buf: Buffer, encoding: string, bodyLimit: number): Promise<Buffer> | Buffer {
  if (encoding === 'identity' || encoding === '') return buf;
  const fn = DECOMPRESS[encoding];
  if (!fn) throw new RelayException(RelayErrorCode.UnsupportedMediaType, `unsupported content-encoding ${encoding}`);
  return fn(buf, { maxOutputLength: bodyLimit }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError
      ? new RelayException(RelayErrorCode.BodyTooLarge, `request body is larger than ${bodyLimit} bytes after decompression`)
      : new RelayException(RelayErrorCode.InvalidRequest, `request body could not be decompressed (${encoding})`);
  });
}

/**
 * The relay's HTTP surface as one encapsulated Fastify plugin: its own body parser (raw bytes,
 * decompressed with the size cap applied after decompression), its own error handler (the /v1
 * exception filter) and CORS for browser clients.
 */
export function registerRelayRoutes(services: RelayServices, bodyLimit: number) {
  return async function relayRoutes(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (req, body, done) => {
      const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
      Promise.resolve()
        .then(() => decompressBody(body as Buffer, encoding, bodyLimit))
        .then(
          (out) => done(null, out),
          (error: Error) => done(error, undefined),
        );
    });
    app.setErrorHandler((error, req, reply) => sendRelayError(req, reply, error));
    app.addHook('onRequest', (req, reply, done) => {
      void reply
        .header('access-control-allow-origin', '*')
        .header('access-control-expose-headers', CORS_EXPOSE)
        .header(REQUEST_ID_HEADER, req.id)
        .header(OPENAI_REQUEST_ID_HEADER, req.id);
      const idHeader = surfaceOf(req)?.requestIdHeader;
      if (idHeader) void reply.header(idHeader, req.id);
      done();
    });

    const pipeline = services.pipeline;
    // The relay POSTs answer from their route's onRequest hook (Fastify's documented "respond
    // from a hook": done() is never called, so no content-type parser, preParsing or handler
    // runs). Fastify's parser binds an AsyncResource per request, and Node 20's bind() builds
    // two deprecation wrappers each time (≈ 2-4 % of the relay's CPU); readRelayBody applies
    // the same limits. The handlers stay as the route's contract and are never reached.
    const answer = (endpoint: Endpoint, pathModel?: (req: FastifyRequest) => string) => (req: FastifyRequest, reply: FastifyReply) => {
      readRelayBody(req, bodyLimit).then(
        (body) => {
          req.body = body;
          void pipeline.handle(req, reply, endpoint, pathModel?.(req));
        },
        (error: unknown) => {
          // The client may still be sending the rest of the body.
          void reply.header('connection', 'close');
          sendRelayError(req, reply, error);
        },
      );
    };
    for (const endpoint of ENDPOINTS) {
      // A route of another API answers errors in that API's shape (the filter reads config.errorSurface).
      const config = endpoint.protocol ? { errorSurface: endpoint.protocol } : {};
      app.post(endpoint.path, { onRequest: answer(endpoint), config }, (req, reply) => pipeline.handle(req, reply, endpoint));
    }
    app.post<{ Params: { model: string } }>(
      '/v1/engines/:model/embeddings',
      { onRequest: answer(embeddings, (req) => (req.params as { model: string }).model) },
      (req, reply) => pipeline.handle(req, reply, embeddings, req.params.model),
    );

    const guarded =
      (fn: (req: FastifyRequest, reply: FastifyReply, s: RelayServices) => Promise<void>) => async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          await fn(req, reply, services);
        } catch (error) {
          sendRelayError(req, reply, error);
        }
      };
    app.post('/v1/messages/count_tokens', { config: { errorSurface: anthropicMessages } }, guarded(countMessageTokens));
    app.get('/v1/models', guarded(listModels));
    // Stored responses (Responses API): answered by the channel that created them.
    app.get('/v1/responses/:id', guarded(responseById('retrieve')));
    app.delete('/v1/responses/:id', guarded(responseById('delete')));
    app.post('/v1/responses/:id/cancel', guarded(responseById('cancel')));
    app.get('/v1/responses/:id/input_items', guarded(responseById('input_items')));
    app.get('/v1/models/*', guarded(getModel));
    // One API's Proxy channels (type 43): a raw pass-through to the channel's base URL.
    app.route({ method: ['GET', 'POST', 'DELETE'], url: '/v1/oneapi/proxy/:channelId/*', handler: guarded(oneApiProxy) });
    for (const prefix of ['', '/v1']) {
      app.get(`${prefix}/dashboard/billing/subscription`, guarded(billingSubscription));
      app.get(`${prefix}/dashboard/billing/usage`, guarded(billingUsage));
    }

    const preflight = (req: FastifyRequest, reply: FastifyReply) => {
      const asked = req.headers['access-control-request-headers'];
      const allow = typeof asked === 'string' && HEADER_LIST.test(asked.trim()) ? asked.trim() : CORS_DEFAULT_HEADERS;
      void reply.code(204).headers(CORS_HEADERS).header('access-control-allow-headers', allow).header('vary', 'Access-Control-Request-Headers').send();
    };
    app.options('/v1/*', preflight);
    app.options('/dashboard/*', preflight);
    app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/*', handler: (req, reply) => {
      const path = req.url.split('?')[0];
      if (NOT_IMPLEMENTED_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) {
        return sendRelayError(req, reply, new RelayException(RelayErrorCode.ApiNotImplemented, `${req.method} ${path} is not implemented`));
      }
      sendRelayError(req, reply, new RelayException(RelayErrorCode.NotFound, `invalid URL (${req.method} ${path})`));
    } });
  };
}
