/**
 * The portal's Next.js configuration. The repository root is the build root: the portal
 * shares the root package's node_modules, and in demo mode its server imports the demo
 * issuer and demo users from ../gateway and ../simulators/demo.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

const config: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  turbopack: { root },
  outputFileTracingRoot: root,
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default config;
