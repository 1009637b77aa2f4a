import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));

// Secrets and data dir for code under test: fixed values, nothing written into the repo.
const testEnv = {
  AUTH_SECRET: 'test-auth-secret-0123456789abcdef0123456789',
  MESHPLANE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  WORKER_SECRET: 'test-worker-secret-0123456789',
  MESHPLANE_DATA_DIR: path.join(tmpdir(), 'meshplane-vitest-data'),
  // Stub agents listen on loopback; the mesh test's agents on 198.51.100.x need nothing.
  MESHPLANE_AGENT_URL_ALLOW: '127.0.0.1/32',
  // The integration files share one database and never delete their networks: the default
  // pool's 64 /16s run out, so they allocate from 10.0.0.0/8's 256 (the CIDRs tests choose
  // themselves are outside it).
  MESHPLANE_POOL: '10.0.0.0/8',
};

export default defineConfig({
  resolve: { alias: [{ find: /^@\//, replacement: `${root}/` }] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['lib/**/*.test.ts', 'agent/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/tools/**/*.test.ts'],
          env: { MESHPLANE_DATA_DIR: testEnv.MESHPLANE_DATA_DIR },
          // next-auth imports 'next/server' without the .js that Node's resolver needs; Vite's finds it
          // (the OpenAPI test loads the route files, and through them the session code).
          server: { deps: { inline: ['next-auth'] } },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          // Creates meshplane_test_<random>, migrates it, provides its URL, drops it at the end.
          globalSetup: ['test/integration/global-setup.ts'],
          env: testEnv,
          // One database for the run; files one after another keeps it simple.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // As in unit: some tests serve the pages/api route files, which load the session code.
          server: { deps: { inline: ['next-auth'] } },
        },
      },
    ],
  },
});
