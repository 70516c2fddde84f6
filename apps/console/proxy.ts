import { NextResponse, type NextRequest } from 'next/server';

/**
 * A fresh nonce and a strict Content-Security-Policy on every page. Next.js reads the nonce back
 * from the request's CSP header and puts it on its own scripts, so scripts run only when Next
 * emitted them (or they were loaded by one that did: 'strict-dynamic' covers the Turnstile
 * loader). Stored HTML is still sanitised by DOMPurify; this is the second line.
 *
 * Styles keep 'unsafe-inline': antd writes its CSS-in-JS into <style> tags at run time and React
 * `style` attributes need it; a nonce in style-src would make browsers ignore 'unsafe-inline'.
 */
function contentSecurityPolicy(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    // Operators' notices and pages may show images from anywhere.
    "img-src 'self' data: blob: https: http:",
    "font-src 'self' data:",
    "connect-src 'self' https://challenges.cloudflare.com",
    // A home/about page that is a URL is shown in a sandboxed iframe; Turnstile is an iframe too.
    "frame-src 'self' https: http:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64');
  // NODE_ENV is fixed by Next at build time; `next dev` needs eval for its error overlay.
  // eslint-disable-next-line no-restricted-properties
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: the API proxy answers JSON, and static files carry no script of their own.
      source: '/((?!api/|_next/static|_next/image|favicon.ico|logo.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
