import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The console's signed statement of where a proxied request came from. The console's `/api`
 * proxy (apps/console/app/api/[...path]/route.ts) writes it; only a holder of SESSION_SECRET can,
 * so a browser or anyone reaching the admin directly cannot claim another address with it.
 *
 *   x-oneapi-forwarded: <base64url(JSON payload)>.<base64url(HMAC-SHA256(key, first part))>
 */
export const CONSOLE_FORWARDED_HEADER = 'x-oneapi-forwarded';

export interface ConsoleForwarded {
  /** The X-Forwarded-For chain the console saw; its right-most entry is the console's own socket peer. */
  for: string;
  /** X-Forwarded-Proto as the console received it (or its own scheme when none came). */
  proto: string;
  /** The scheme of the console's own socket. */
  scheme: string;
  /** Unix seconds when the console signed it. */
  t: number;
}

/** How far a signature's time may be from ours: bounds the replay of a captured header. */
const MAX_SKEW_SECONDS = 300;

/** The signing key: derived, so the session cookie's key is never used for anything else. */
export function consoleForwardedKey(sessionSecret: string): Buffer {
  return createHmac('sha256', sessionSecret).update('oneapi console forwarded v1').digest();
}

/**
 * Hands the signing key to a console started without SESSION_SECRET (CONSOLE_FORWARD_KEY_FILE):
 * hex, written whole (temporary file, then rename) so the console never reads half of it. Only
 * the derived key leaves the admin, never the session secret.
 */
export function writeConsoleForwardedKey(file: string, key: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${key.toString('hex')}\n`, { mode: 0o644 });
  renameSync(partial, file);
}

export function signConsoleForwarded(key: Buffer, payload: ConsoleForwarded): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/**
 * The payload when the header is well-formed, signed with `key` and recent; `invalid` when a header
 * is present but fails (a console with another SESSION_SECRET, or a forgery); null when absent.
 */
export function verifyConsoleForwarded(key: Buffer, header: string | string[] | undefined, nowSeconds: number): ConsoleForwarded | 'invalid' | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header[0] : header;
  const [body, sig, extra] = (value ?? '').split('.');
  if (!body || !sig || extra !== undefined) return 'invalid';
  const expected = createHmac('sha256', key).update(body).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return 'invalid';
  }
  const p = payload as Partial<ConsoleForwarded> | null;
  if (!p || typeof p.for !== 'string' || typeof p.proto !== 'string' || typeof p.scheme !== 'string' || typeof p.t !== 'number') return 'invalid';
  if (Math.abs(nowSeconds - p.t) > MAX_SKEW_SECONDS) return 'invalid';
  return { for: p.for, proto: p.proto, scheme: p.scheme, t: p.t };
}
