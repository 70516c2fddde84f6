import { request } from 'undici';

/** A minimal HTTP GET, injectable so callers can route balance queries through a proxy or a stub. */
export type BalanceFetch = (url: string, init: { headers: Record<string, string>; timeoutMs: number }) => Promise<{ status: number; body: string }>;

/** Largest balance response read; these are a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The default `BalanceFetch`: undici `request` with connect/header/body timeouts. */
export const undiciBalanceFetch: BalanceFetch = async (url, { headers, timeoutMs }) => {
  const res = await request(url, {
    method: 'GET',
    headers,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
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
