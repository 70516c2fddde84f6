import type { AuthHttp, ChannelContext, ProviderAdapter } from '../adapter.types';
import { UpstreamAuthorizationError } from '../errors';
import { classifyTransportError, classifyUpstreamError, type UpstreamErrorVerdict } from './classify';
import type { PreparedUpstreamRequest } from './prepare';
import type { UpstreamClient } from './upstream-client';

/** Token endpoints answer a few hundred bytes; more is not a token reply. */
const AUTH_REPLY_LIMIT = 64 * 1024;

/** An `AuthHttp` that can also send through a given outbound proxy (a channel's `config.proxy`). */
export interface ProxiableAuthHttp extends AuthHttp {
  through(proxy: string): AuthHttp;
}

/**
 * `AuthHttp` over the upstream client, so token exchanges share its timeouts and outbound proxy
 * (RELAY_PROXY, or the channel's own through `through`).
 */
export function upstreamAuthHttp(client: UpstreamClient, proxy?: string): ProxiableAuthHttp {
  return {
    async post(url, headers, body) {
      const call = client.send({ url, method: 'POST', headers, body, ...(proxy ? { proxy } : {}) });
      await call.started;
      const buf = await call.collect(AUTH_REPLY_LIMIT);
      return { status: call.statusCode, text: buf.toString('utf8') };
    },
    through: (channelProxy) => upstreamAuthHttp(client, channelProxy),
  };
}

/**
 * Runs the adapter's `authorize` step (when it has one) over the prepared request and returns
 * the request with the headers (and URL) it produced. Callers check `adapter.authorize` first so that
 * pass-through adapters pay no await.
 */
export async function authorizeUpstreamRequest(adapter: ProviderAdapter, ch: ChannelContext, req: PreparedUpstreamRequest, http: AuthHttp): Promise<PreparedUpstreamRequest> {
  if (!adapter.authorize) return req;
  // The token exchange leaves the way the request will: through the channel's proxy when it has one.
  const via = req.proxy && 'through' in http ? (http as ProxiableAuthHttp).through(req.proxy) : http;
  const authorized = await adapter.authorize(ch, req, via);
  return { ...req, headers: authorized.headers, url: authorized.url ?? req.url };
}

/**
 * The verdict on a failed `authorize` step: a token endpoint that refused the credentials (4xx
 * other than 429) is the channel's key being refused (502 `upstream_auth_error`, disable); a 429
 * or 5xx keeps its meaning; anything else (unreachable, unreadable) is a transport failure.
 */
export function classifyAuthorizationFailure(adapter: ProviderAdapter, error: unknown, secrets: readonly string[]): UpstreamErrorVerdict {
  if (error instanceof UpstreamAuthorizationError && error.status > 0) {
    const status = error.status >= 400 && error.status < 500 && error.status !== 429 ? 401 : error.status;
    return classifyUpstreamError(adapter, { status, text: JSON.stringify({ message: error.message }), secrets });
  }
  return classifyTransportError(error instanceof Error ? error : new Error(String(error)), { secrets });
}
