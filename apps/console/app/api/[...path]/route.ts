/**
 * Proxies every `/api/*` request of the console to the admin service, so the browser talks to
 * one origin (session cookie SameSite=Lax, no CORS). Resolved at run time, not build time, so one
 * build serves any deployment: `ADMIN_URL` (default http://127.0.0.1:3002).
 *
 * Request and response bodies are streamed, never buffered; cookies pass both ways.
 */
import type { NextRequest } from 'next/server';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

// The one place the console reads its environment: the proxy target must be chosen when the
// server starts, and the console may not depend on @oneapi/config (it is a `type:web` project).
// eslint-disable-next-line no-restricted-properties
const ADMIN_URL = (process.env.ADMIN_URL || 'http://127.0.0.1:3002').replace(/\/+$/, '');

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones fetch computes itself. */
const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
  'expect',
  'accept-encoding',
]);
// fetch() already decoded the body, so the upstream encoding/length no longer describe it.
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'set-cookie']);

async function proxy(req: NextRequest, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const { path } = await ctx.params;
  const target = `${ADMIN_URL}/api/${path.map(encodeURIComponent).join('/')}${req.nextUrl.pathname.endsWith('/') ? '/' : ''}${req.nextUrl.search}`;

  const headers = new Headers();
  req.headers.forEach((value, key) => {
    if (!DROP_REQUEST.has(key) && !key.startsWith('x-middleware-')) headers.set(key, value);
  });
  // Next fills x-forwarded-for/-proto from the socket when the client did not send them
  // (next/dist/server/base-server.js); the admin service trusts them only from TRUSTED_PROXIES.
  const proto = req.headers.get('x-forwarded-proto') ?? req.nextUrl.protocol.replace(':', '');
  headers.set('x-forwarded-proto', proto);
  const forwardedFor = req.headers.get('x-forwarded-for');
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
  headers.set('x-forwarded-host', req.headers.get('host') ?? req.nextUrl.host);

  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== null;
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers,
      body: hasBody ? req.body : undefined,
      redirect: 'manual',
      cache: 'no-store',
      signal: req.signal,
      // Required by undici to stream a request body.
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch {
    return Response.json({ success: false, message: 'The admin service is unreachable.', data: null }, { status: 502 });
  }

  const responseHeaders = new Headers();
  upstream.headers.forEach((value, key) => {
    if (!DROP_RESPONSE.has(key)) responseHeaders.set(key, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) responseHeaders.append('set-cookie', cookie);
  responseHeaders.set('cache-control', upstream.headers.get('cache-control') ?? 'no-store');

  return new Response(req.method === 'HEAD' ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeaders,
  });
}

export const GET = proxy;
export const POST = proxy;
export const PUT = proxy;
export const PATCH = proxy;
export const DELETE = proxy;
export const HEAD = proxy;
export const OPTIONS = proxy;
