import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RelayMode } from '@oneapi/providers';
import { RelayErrorCode, RelayException } from './errors/relay.exception';
import { REQUEST_ID_HEADER, sendRelayError } from './errors/relay-error.filter';
import { billingSubscription, billingUsage, getModel, listModels } from './models/models.handler';
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
  '/v1/images/edits',
  '/v1/images/variations',
  '/v1/responses',
  '/v1/vector_stores',
  '/v1/uploads',
  '/v1/realtime',
  '/v1/organization',
];

const POST_ROUTES: Array<[string, RelayMode]> = [
  ['/v1/chat/completions', 'chat'],
  ['/v1/completions', 'completions'],
  ['/v1/embeddings', 'embeddings'],
  ['/v1/moderations', 'moderations'],
  ['/v1/images/generations', 'images'],
  ['/v1/audio/speech', 'audio.speech'],
  ['/v1/audio/transcriptions', 'audio.transcriptions'],
  ['/v1/audio/translations', 'audio.translations'],
  ['/v1/edits', 'edits'],
];

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-max-age': '86400',
};

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
      const buf = body as Buffer;
      if (encoding === 'identity' || encoding === '') return done(null, buf);
      const fn = DECOMPRESS[encoding];
      if (!fn) return done(new RelayException(RelayErrorCode.UnsupportedMediaType, `unsupported content-encoding ${encoding}`), undefined);
      fn(buf, { maxOutputLength: bodyLimit }).then(
        (out) => done(null, out),
        (error: NodeJS.ErrnoException) =>
          done(
            error.code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError
              ? new RelayException(RelayErrorCode.BodyTooLarge, `request body is larger than ${bodyLimit} bytes after decompression`)
              : new RelayException(RelayErrorCode.InvalidRequest, `request body could not be decompressed (${encoding})`),
            undefined,
          ),
      );
    });
    app.setErrorHandler((error, req, reply) => sendRelayError(req, reply, error));
    app.addHook('onRequest', (req, reply, done) => {
      void reply.header('access-control-allow-origin', '*').header(REQUEST_ID_HEADER, req.id);
      done();
    });

    const relay = services.relay;
    for (const [path, mode] of POST_ROUTES) {
      app.post(path, (req, reply) => relay.handle(req, reply, mode));
    }
    app.post<{ Params: { model: string } }>('/v1/engines/:model/embeddings', (req, reply) => relay.handle(req, reply, 'embeddings', req.params.model));

    const guarded =
      (fn: (req: FastifyRequest, reply: FastifyReply, s: RelayServices) => Promise<void>) => async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          await fn(req, reply, services);
        } catch (error) {
          sendRelayError(req, reply, error);
        }
      };
    app.get('/v1/models', guarded(listModels));
    app.get('/v1/models/*', guarded(getModel));
    for (const prefix of ['', '/v1']) {
      app.get(`${prefix}/dashboard/billing/subscription`, guarded(billingSubscription));
      app.get(`${prefix}/dashboard/billing/usage`, guarded(billingUsage));
    }

    app.options('/v1/*', (_req, reply) => {
      void reply.code(204).headers(CORS_HEADERS).send();
    });
    app.options('/dashboard/*', (_req, reply) => {
      void reply.code(204).headers(CORS_HEADERS).send();
    });
    app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/v1/*', handler: (req, reply) => {
      const path = req.url.split('?')[0];
      if (NOT_IMPLEMENTED_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) {
        return sendRelayError(req, reply, new RelayException(RelayErrorCode.ApiNotImplemented, `${req.method} ${path} is not implemented`));
      }
      sendRelayError(req, reply, new RelayException(RelayErrorCode.NotFound, `invalid URL (${req.method} ${path})`));
    } });
  };
}
