import path from 'node:path';
import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';

// The console compiles libs/domain (channel-type registry, enums) straight from the workspace, so
// Turbopack and output tracing must see the monorepo root, not just apps/console.
const workspaceRoot = path.join(__dirname, '../..');

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // One API's routes end in a slash (`/api/token/`); the proxy must pass them through untouched
  // instead of Next answering 308 to the slash-less path.
  skipTrailingSlashRedirect: true,
  outputFileTracingRoot: workspaceRoot,
  turbopack: { root: workspaceRoot },
  typescript: { tsconfigPath: 'tsconfig.json' },
  // On every response, pages, API and static files alike; pages also get a nonce-based
  // Content-Security-Policy from proxy.ts (it needs a fresh nonce per request).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          // For browsers without CSP's frame-ancestors: nobody may frame the console.
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
        ],
      },
    ];
  },
};

export default createNextIntlPlugin('./i18n/request.ts')(nextConfig);
