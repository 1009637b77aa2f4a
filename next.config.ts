import type { NextConfig } from 'next';

export const securityHeaders = [
  { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
];

const nextConfig: NextConfig = {
  // PGlite loads its WASM from its own package path; bundling it breaks the first query.
  // prom-client: one registry per process, shared by server.ts and the bundled routes.
  serverExternalPackages: ['@electric-sql/pglite', 'prom-client'],
  // The pages router (pages/api) leaves packages external, imported at run time: next-auth's
  // ES modules import 'next/server' without an extension, which plain `node` (the compiled
  // server, dist/server) refuses; bundled, Next resolves it.
  transpilePackages: ['next-auth'],
  poweredByHeader: false,
  // Lets two builds live side by side (a dev checkout and the test suite).
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // On every page and API answer: the dashboard cannot be framed (clickjacking), content
  // types are not sniffed, and other sites get the origin at most.
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;
