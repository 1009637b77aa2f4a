import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite loads its WASM from its own package path; bundling it breaks the first query.
  // prom-client: one registry per process, shared by server.ts and the bundled routes.
  serverExternalPackages: ['@electric-sql/pglite', 'prom-client'],
  poweredByHeader: false,
  // Lets two builds live side by side (a dev checkout and the test suite).
  distDir: process.env.NEXT_DIST_DIR || '.next',
};

export default nextConfig;
