/**
 * Proxies every `/api/*` request of the console to the admin service, so the browser talks to
 * one origin (session cookie SameSite=Lax, no CORS). Resolved at run time, not build time, so one
 * build serves any deployment: `ADMIN_URL` (default http://127.0.0.1:3002).
 *
 * Request and response bodies are streamed, never buffered; cookies pass both ways.
 *
 * The admin limits logins per client address, and every console user reaches it from the
 * console's address. So the proxy tells it the browser's address (the socket peer recorded by
 * server.mjs, behind whatever X-Forwarded-For arrived) in `x-oneapi-forwarded`, signed with a key
 * derived from SESSION_SECRET (or read from CONSOLE_FORWARD_KEY_FILE, where the admin writes it when
 * no SESSION_SECRET is set): the admin believes that header only with a valid signature, so a
 * browser cannot make one up. The admin's side: apps/admin/src/rate-limit/console-forwarded.ts.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextRequest } from 'next/server';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

// The one place the console reads its environment: the proxy target and the signing key must be
// chosen when the server starts, and the console may not depend on @oneapi/config (it is a
// `type:web` project).
/* eslint-disable no-restricted-properties */
const ADMIN_URL = (process.env.ADMIN_URL || 'http://127.0.0.1:3002').replace(/\/+$/, '');
const SESSION_SECRET = process.env.SESSION_SECRET ?? '';
const PEER_TOKEN = process.env.ONEAPI_CONSOLE_PEER_TOKEN ?? '';
const KEY_FILE = process.env.CONSOLE_FORWARD_KEY_FILE ?? '';
/* eslint-enable no-restricted-properties */

const FORWARDED_HEADER = 'x-oneapi-forwarded';
const PEER_HEADER = 'x-oneapi-console-peer';
let signingKey: Buffer | null = SESSION_SECRET ? createHmac('sha256', SESSION_SECRET).update('oneapi console forwarded v1').digest() : null;

/**
 * The signing key: from SESSION_SECRET, or else the one the admin writes to
 * CONSOLE_FORWARD_KEY_FILE when it starts (read until it is there, then kept).
 */
function currentSigningKey(): Buffer | null {
  if (signingKey || !KEY_FILE) return signingKey;
  try {
    const hex = readFileSync(KEY_FILE, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(hex)) signingKey = Buffer.from(hex, 'hex');
  } catch {
    // Not written yet: the admin writes it at boot.
  }
  return signingKey;
}

/** What server.mjs recorded about the socket, when it was server.mjs that wrote it. */
interface Peer {
  addr: string;
  scheme: string;
  xff: string | null;
  xfp: string | null;
}

function readPeer(header: string | null): Peer | null {
  if (!header || !PEER_TOKEN) return null;
  try {
    const p = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Partial<Peer> & { k?: unknown };
    if (p.k !== PEER_TOKEN || typeof p.addr !== 'string' || !p.addr || typeof p.scheme !== 'string') return null;
    return { addr: p.addr, scheme: p.scheme, xff: typeof p.xff === 'string' ? p.xff : null, xfp: typeof p.xfp === 'string' ? p.xfp : null };
  } catch {
    return null;
  }
}

let warned = false;
function warnOnce(why: string): void {
  if (warned) return;
  warned = true;
  console.warn(`console: the admin will see every user at the console's own address (${why})`);
}

/** Sets X-Forwarded-For/-Proto as a proxy does and, with SESSION_SECRET, the signed copy the admin believes. */
function forwardClient(req: NextRequest, headers: Headers): void {
  headers.delete(FORWARDED_HEADER);
  headers.delete(PEER_HEADER);
  const peer = readPeer(req.headers.get(PEER_HEADER));
  if (!peer) {
    // Not started by server.mjs: Next keeps a client's own X-Forwarded-For, so it proves nothing.
    warnOnce('start the console with server.mjs');
    headers.set('x-forwarded-proto', req.headers.get('x-forwarded-proto') ?? req.nextUrl.protocol.replace(':', ''));
    const forwardedFor = req.headers.get('x-forwarded-for');
    if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
    return;
  }
  const chain = peer.xff ? `${peer.xff}, ${peer.addr}` : peer.addr;
  const proto = peer.xfp ?? peer.scheme;
  headers.set('x-forwarded-for', chain);
  headers.set('x-forwarded-proto', proto);
  const key = currentSigningKey();
  if (!key) {
    warnOnce(KEY_FILE ? `no signing key in ${KEY_FILE} yet` : 'neither SESSION_SECRET nor CONSOLE_FORWARD_KEY_FILE is set on the console');
    return;
  }
  const body = Buffer.from(JSON.stringify({ for: chain, proto, scheme: peer.scheme, t: Math.floor(Date.now() / 1000) })).toString('base64url');
  headers.set(FORWARDED_HEADER, `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`);
}

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
  forwardClient(req, headers);
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
