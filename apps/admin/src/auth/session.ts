import { createHash } from 'node:crypto';
import secureSession from '@fastify/secure-session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@oneapi/config';

/** What the session cookie carries. Role and status are never trusted from it: they are re-read. */
export interface SessionData {
  uid: number;
  /** Logged in as root with the default password: only self-read and password change allowed. */
  mustChangePassword?: boolean;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    uid: number;
    mustChangePassword?: boolean;
  }
}

export const SESSION_COOKIE = 'session';

/**
 * Encrypted + authenticated cookie session keyed from SESSION_SECRET (HttpOnly, SameSite=Lax),
 * so every admin replica with the same secret accepts it.
 */
export async function registerSession(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const key = createHash('sha256').update(`oneapi-session:${config.sessionSecret}`).digest();
  await app.register(secureSession, {
    key,
    cookieName: SESSION_COOKIE,
    expiry: 30 * 24 * 3600,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: 30 * 24 * 3600 },
  });
}
