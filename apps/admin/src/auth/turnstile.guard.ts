import { Inject, Injectable, UseGuards, applyDecorators, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LOGGER, RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import type { Logger } from 'pino';
import { ApiError, ApiErrorCode } from '../common/api-error';
import { Settings } from '../option/settings';
import { RateLimiters } from '../rate-limit/rate-limiters';

/**
 * One API's TurnstileCheck: when `TurnstileCheckEnabled`, the `?turnstile=` token must pass
 * Cloudflare's siteverify (TURNSTILE_VERIFY_URL) with `TurnstileSecretKey`.
 * https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 * Unlike One API, a success is not remembered in the session: every protected request needs a token.
 */
@Injectable()
export class TurnstileGuard implements CanActivate {
  constructor(
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(Settings) private readonly settings: Settings,
    @Inject(RateLimiters) private readonly limits: RateLimiters,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (!this.settings.options.TurnstileCheckEnabled) return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest<{ Querystring: { turnstile?: string } }>>();
    const token = typeof req.query?.turnstile === 'string' ? req.query.turnstile : '';
    if (!token) throw ApiError.badRequest('turnstile: the Turnstile token is missing');
    const form = new URLSearchParams({
      secret: this.settings.options.TurnstileSecretKey,
      response: token,
      remoteip: this.limits.clientIp(req),
    });
    let success = false;
    try {
      const res = await fetch(this.runtime.config.env.TURNSTILE_VERIFY_URL, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json()) as { success?: boolean };
      success = body.success === true;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'turnstile siteverify failed');
      throw new ApiError(ApiErrorCode.Unavailable, 'could not reach the Turnstile verifier, try again');
    }
    if (!success) throw ApiError.forbidden('Turnstile check failed, refresh the page and try again');
    return true;
  }
}

/** Requires a valid `?turnstile=` token when TurnstileCheckEnabled is on. */
export const TurnstileCheck = () => applyDecorators(UseGuards(TurnstileGuard));
