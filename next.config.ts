import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite loads its WASM from its own package path; bundling it breaks the first query.
  serverExternalPackages: ['@electric-sql/pglite'],
  poweredByHeader: false,
};

export default nextConfig;
