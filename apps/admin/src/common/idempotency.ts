import {
  applyDecorators,
  createParamDecorator,
  Global,
  Inject,
  Injectable,
  Module,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { Database, IdempotencyKeyTaken, IdempotencyRepository, type IdempotencyClaim, type StoredAnswer } from '@oneapi/data';
import { LOGGER } from '@oneapi/platform';
import { ApiErrors } from '../openapi/api-docs.decorators';
import { ApiError } from './api-error';
import type { Envelope } from './envelope';

/*
 * Idempotency-Key on the quota-changing routes (admin top-up, redeem, admin user edit). The
 * interceptor answers a key seen before from `idempotency_keys`; otherwise the handler's
 * repository writes the answer in the transaction of the quota change (see
 * IdempotencyRepository.within), so an answer is stored exactly when the change committed.
 */

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
/** Stored answers are kept at least IDEMPOTENCY_KEY_TTL_MS; older ones are pruned at most this often. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

type IdempotentRequest = FastifyRequest & { user?: { id: number }; idempotencyScope?: string };

/** The key, if the header was sent; 400 when empty or too long. */
function keyOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (!key) throw ApiError.badRequest(`${IDEMPOTENCY_KEY_HEADER} must not be empty`);
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw ApiError.badRequest(`${IDEMPOTENCY_KEY_HEADER} must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  return key;
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private lastPrune = 0;

  constructor(
    @Inject(IdempotencyRepository) private readonly answers: IdempotencyRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<IdempotentRequest>();
    const key = keyOf(req);
    // Runs after the auth guard: every idempotent route is signed in, and keys are per caller.
    if (key === undefined || !req.user) return next.handle();
    const scope = `${req.user.id}:${req.method} ${req.routeOptions.url ?? req.url}:${key}`;
    return from(this.once(scope, req, http.getResponse<FastifyReply>(), () => lastValueFrom(next.handle())));
  }

  private async once(scope: string, req: IdempotentRequest, reply: FastifyReply, handle: () => Promise<unknown>): Promise<unknown> {
    const stored = await this.answers.find(scope);
    if (stored) return replay(reply, stored);
    req.idempotencyScope = scope;
    try {
      const body = await handle();
      this.prune();
      return body;
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTaken)) throw error;
      // A concurrent call with this key committed first (its change is the one that counts), or is still running.
      const winner = await this.answers.find(scope);
      if (winner) return replay(reply, winner);
      throw ApiError.conflict(`a request with this ${IDEMPOTENCY_KEY_HEADER} is still in progress; retry shortly`);
    }
  }

  /** Opportunistic: whichever keyed call comes first after an hour deletes answers older than a day. */
  private prune(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.answers.prune().catch((error: Error) => this.logger.warn({ error: error.message }, 'pruning idempotency keys failed'));
  }
}

function replay(reply: FastifyReply, stored: StoredAnswer): unknown {
  void reply.status(stored.status).header('Idempotent-Replayed', 'true');
  return JSON.parse(stored.body) as unknown;
}

/**
 * Makes a route honour `Idempotency-Key` (and documents it). The handler passes
 * `answerOnce(scope, envelope)` to the repository that makes the change.
 */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description: `1..${MAX_IDEMPOTENCY_KEY_LENGTH} characters chosen by the client. A retry with the same key (same caller and route) gets the first answer and changes nothing; answers are kept 24 h.`,
      schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, example: '5f1c8f0e-3b7a-4b8e-9a51-1d2c3e4f5a6b' },
    }),
    ApiErrors(409, 503),
  );
}

/** The scope of this call's Idempotency-Key (`<user id>:<route>:<key>`), or undefined without one. */
export const IdempotencyScope = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<IdempotentRequest>().idempotencyScope);

/** The claim a handler gives the repository: store `envelope(result)` with status 200 under the scope. */
export function answerOnce<R>(scope: string | undefined, envelope: (result: R) => Envelope<unknown>): IdempotencyClaim<R> | undefined {
  return scope === undefined ? undefined : { scope, answer: (result) => ({ status: 200, body: JSON.stringify(envelope(result)) }) };
}

/** Provides the interceptor's store to every feature module. */
@Global()
@Module({
  providers: [{ provide: IdempotencyRepository, useFactory: (db: Database) => new IdempotencyRepository(db), inject: [Database] }, IdempotencyInterceptor],
  exports: [IdempotencyRepository, IdempotencyInterceptor],
})
export class IdempotencyModule {}
