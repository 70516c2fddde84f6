import { createHash } from 'node:crypto';
import type { AuthHttp, ChannelContext } from '../adapter.types';
import { ChannelConfigError, UpstreamAuthorizationError } from '../errors';

/**
 * Tokens live 30 days, but one revoked earlier (a secret reset) would fail every request until
 * then: a cached token is used for an hour at most.
 */
const MAX_CACHE_MS = 60 * 60 * 1000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

const tokens = new Map<string, CachedToken>();
const pending = new Map<string, Promise<CachedToken>>();

/** The channel key `client_id|client_secret` (API Key|Secret Key), as One API stores it. */
export function baiduClientCredentials(ch: ChannelContext): { clientId: string; clientSecret: string } {
  const [clientId, clientSecret, ...rest] = ch.key.split('|').map((p) => p.trim());
  if (!clientId || !clientSecret || rest.length > 0) throw new ChannelConfigError(ch.id, 'Baidu ERNIE keys are "API_KEY|SECRET_KEY"');
  return { clientId, clientSecret };
}

async function fetchToken(tokenUrl: string, clientId: string, clientSecret: string, http: AuthHttp, now: number): Promise<CachedToken> {
  const query = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  const res = await http.post(`${tokenUrl}?${query.toString()}`, { 'content-type': 'application/json', accept: 'application/json' }, '');
  let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
  try {
    body = JSON.parse(res.text) as typeof body;
  } catch {
    /* judged by the status below */
  }
  if (res.status < 200 || res.status >= 300 || typeof body.access_token !== 'string' || body.access_token === '') {
    const reason = [body.error, body.error_description].filter((x) => typeof x === 'string').join(': ');
    // Baidu answers 401 for an unknown client id and 401/400 for a wrong secret; a 200 without a token is refused too.
    throw new UpstreamAuthorizationError(res.status >= 200 && res.status < 300 ? 401 : res.status, `Baidu access-token exchange failed${reason ? ` (${reason})` : ''}`);
  }
  const seconds = typeof body.expires_in === 'number' ? body.expires_in : 2_592_000;
  return { token: body.access_token, expiresAt: now + Math.min(seconds * 1000 / 2, MAX_CACHE_MS) };
}

/**
 * Baidu's access token for the channel's API key (https://cloud.baidu.com/doc/WENXINWORKSHOP/s/Ilkkrb0i5):
 * `POST {base}/oauth/2.0/token?grant_type=client_credentials&client_id&client_secret`, cached per
 * key until shortly before it expires; concurrent requests share one exchange.
 */
export async function baiduAccessToken(ch: ChannelContext, base: string, http: AuthHttp, now: number = Date.now()): Promise<string> {
  const { clientId, clientSecret } = baiduClientCredentials(ch);
  const tokenUrl = `${base}/oauth/2.0/token`;
  const key = `${tokenUrl}\n${clientId}\n${createHash('sha256').update(clientSecret).digest('base64url')}`;
  const hit = tokens.get(key);
  if (hit && hit.expiresAt > now) return hit.token;
  let flight = pending.get(key);
  if (!flight) {
    flight = fetchToken(tokenUrl, clientId, clientSecret, http, now).finally(() => pending.delete(key));
    pending.set(key, flight);
  }
  const fresh = await flight;
  tokens.set(key, fresh);
  return fresh.token;
}

/** Forgets cached tokens (specs). */
export function clearBaiduTokenCache(): void {
  tokens.clear();
}
