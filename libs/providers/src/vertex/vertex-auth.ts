import { createHash } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import type { AuthHttp } from '../adapter.types';
import { UpstreamAuthorizationError } from '../errors';
import type { ServiceAccountKey } from './vertex.types';

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** A token is renewed this long before Google says it expires, so no request carries a token about to lapse. */
const RENEW_EARLY_MS = 60_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Access tokens per service account (plain data), and the exchanges in flight so concurrent requests share one. */
const tokens = new Map<string, CachedToken>();
const pending = new Map<string, Promise<CachedToken>>();

/** Per key pair, not per account name: a channel with a wrong private key must not borrow another channel's token. */
function cacheKey(sa: ServiceAccountKey): string {
  const digest = createHash('sha256').update(sa.private_key).digest('base64url');
  return `${sa.client_email}\n${sa.token_uri ?? GOOGLE_TOKEN_URI}\n${digest}`;
}

/**
 * The OAuth 2.0 JWT-bearer grant of a service account (https://developers.google.com/identity/protocols/oauth2/service-account#httprest):
 * an RS256 JWT (iss = client_email, aud = token URI, scope cloud-platform, one hour) exchanged
 * at the token URI for an access token.
 */
async function exchangeToken(sa: ServiceAccountKey, http: AuthHttp, now: number): Promise<CachedToken> {
  const tokenUri = sa.token_uri ?? GOOGLE_TOKEN_URI;
  let key: Awaited<ReturnType<typeof importPKCS8>>;
  try {
    key = await importPKCS8(sa.private_key, 'RS256');
  } catch {
    throw new UpstreamAuthorizationError(401, 'the service account private key could not be read');
  }
  const iat = Math.floor(now / 1000);
  const assertion = await new SignJWT({ scope: CLOUD_PLATFORM_SCOPE })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(sa.private_key_id ? { kid: sa.private_key_id } : {}) })
    .setIssuer(sa.client_email)
    .setSubject(sa.client_email)
    .setAudience(tokenUri)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(key);
  const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
  const res = await http.post(tokenUri, { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, form);
  let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    /* not JSON: judged by the status below */
  }
  if (res.status < 200 || res.status >= 300 || typeof body.access_token !== 'string') {
    const reason = [body.error, body.error_description].filter((x) => typeof x === 'string').join(': ');
    throw new UpstreamAuthorizationError(res.status >= 200 && res.status < 300 ? 502 : res.status, `Google token exchange failed${reason ? ` (${reason})` : ''}`);
  }
  const seconds = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  return { token: body.access_token, expiresAt: now + seconds * 1000 - RENEW_EARLY_MS };
}

/** An access token for the service account, from the cache while it is valid. */
export async function vertexAccessToken(sa: ServiceAccountKey, http: AuthHttp, now: number = Date.now()): Promise<string> {
  const key = cacheKey(sa);
  const hit = tokens.get(key);
  if (hit && hit.expiresAt > now) return hit.token;
  let flight = pending.get(key);
  if (!flight) {
    flight = exchangeToken(sa, http, now).finally(() => pending.delete(key));
    pending.set(key, flight);
  }
  const fresh = await flight;
  tokens.set(key, fresh);
  return fresh.token;
}

/** Forgets cached tokens (specs). */
export function clearVertexTokenCache(): void {
  tokens.clear();
}
