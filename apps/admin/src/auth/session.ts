import { createHash } from 'node:crypto';
import secureSession from '@fastify/secure-session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { ResolvedConfig } from '@oneapi/config';
import { DEFAULT_ROOT_PASSWORD, type UserEntity } from '@oneapi/data';
import { Role } from '@oneapi/domain';
import { ClientOrigins } from '../rate-limit/client-origin';
import type { LoginView } from '../user/user.view';

/** What the session cookie carries. Role and status are never trusted from it: they are re-read. */
export interface SessionData {
  uid: number;
  /** Logged in as root with the default password: only self-read and password change allowed. */
  mustChangePassword?: boolean;
  /** The GitHub OAuth `state` handed out by /api/oauth/state (one use). */
  oauthState?: string;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    uid: number;
    mustChangePassword?: boolean;
    oauthState?: string;
  }
}

export const SESSION_COOKIE = 'session';

/**
 * Encrypted + authenticated cookie session keyed from SESSION_SECRET (HttpOnly, SameSite=Lax),
 * so every admin replica with the same secret accepts it. The cookie is `Secure` with
 * COOKIE_SECURE, or when the request arrived over HTTPS: directly, through the console (its signed
 * header), or by a trusted proxy's X-Forwarded-Proto.
 */
export async function registerSession(app: NestFastifyApplication, config: ResolvedConfig): Promise<void> {
  const key = createHash('sha256').update(`oneapi-session:${config.sessionSecret}`).digest();
  const always = config.env.COOKIE_SECURE;
  await app.register(secureSession, {
    key,
    cookieName: SESSION_COOKIE,
    expiry: 30 * 24 * 3600,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: always, maxAge: 30 * 24 * 3600 },
  });
  if (always) return;
  const origins = app.get(ClientOrigins);
  // preHandler: the session object exists by then (secure-session makes it onRequest), and the cookie is written onSend.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preHandler', async (req: FastifyRequest) => {
      if (origins.of(req).https) req.session.options({ secure: true });
    });
}

/**
 * Starts a session for the user (One API's SetupLogin) and answers its login payload. Root signing
 * in with One API's default password gets a session limited to changing it.
 */
export function startSession(req: FastifyRequest, user: UserEntity, plainPassword?: string): LoginView {
  const mustChange = user.role === Role.Root && plainPassword === DEFAULT_ROOT_PASSWORD;
  req.session.set('uid', user.id);
  req.session.set('oauthState', undefined);
  req.session.set('mustChangePassword', mustChange ? true : undefined);
  const view: LoginView = { id: user.id, username: user.username, display_name: user.displayName, role: user.role, status: user.status };
  if (mustChange) view.require_password_change = true;
  return view;
}
