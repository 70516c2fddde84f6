import { request, type Dispatcher } from 'undici';
import { ProxyAgents } from '../exchange/proxy';

/**
 * A minimal HTTP GET, injectable so callers can route balance queries through a stub. `proxy` is
 * the channel's own outbound proxy (`config.proxy`).
 */
export type BalanceFetch = (url: string, init: { headers: Record<string, string>; timeoutMs: number; proxy?: string }) => Promise<{ status: number; body: string }>;

/** Largest balance response read; these are a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A `BalanceFetch` on undici `request` with connect/header/body timeouts; requests go through
 * the channel's proxy when it has one, else through `defaultProxy` (RELAY_PROXY) when set, else
 * directly (undici's global dispatcher).
 */
export function createBalanceFetch(defaultProxy?: string): BalanceFetch {
  const proxies = new ProxyAgents();
  return async (url, { headers, timeoutMs, proxy }) => {
    const via = proxy || defaultProxy;
    const dispatcher: Dispatcher | undefined = via ? proxies.get(via) : undefined;
    const res = await request(url, {
      method: 'GET',
      headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      ...(dispatcher ? { dispatcher } : {}),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_BODY_BYTES) {
        res.body.destroy();
        throw new Error(`response larger than ${MAX_BODY_BYTES} bytes`);
      }
      chunks.push(buf);
    }
    return { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') };
  };
}

/** The default `BalanceFetch`: direct, or through the channel's own proxy. */
export const undiciBalanceFetch: BalanceFetch = createBalanceFetch();
