import { Injectable, UseGuards, applyDecorators, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../common/api-error';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a request a page of another origin could have made with the caller's cookie.
 *
 * SameSite=Lax is not enough: it lets top-level GET navigations through from any site, and a
 * page on another port or subdomain of the same site sends the cookie with every request. So:
 * - `Sec-Fetch-Site`, which browsers set and pages cannot, must be `same-origin` or `none`
 *   (typed or bookmarked) when present: the console calls `/api` on its own origin.
 * - A change must be JSON or carry `X-Requested-With` (the console's fetch sends it). Other sites
 *   can only send those through a CORS preflight, which the admin never grants; HTML forms and
 *   no-cors fetches cannot.
 * Access-token callers are exempt: browsers never attach `Authorization` on their own.
 */
export function assertFromOwnPage(req: FastifyRequest): void {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    throw ApiError.forbidden('cross-site request refused: use the console');
  }
  if (SAFE_METHODS.has(req.method)) return;
  if (req.headers['x-requested-with'] !== undefined) return;
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return;
  throw ApiError.forbidden('this change needs Content-Type: application/json or an X-Requested-With header (forms from other sites are refused)');
}

/** Route guard form of {@link assertFromOwnPage}, for public routes that start or end a session. */
@Injectable()
export class OwnPageGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    assertFromOwnPage(ctx.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }
}

/** The request must come from the console's own page (see {@link assertFromOwnPage}). */
export const FromOwnPage = () => applyDecorators(UseGuards(OwnPageGuard));
