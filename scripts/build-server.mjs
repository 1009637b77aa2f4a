// Compiles the production server (server.ts and the lib/ code it imports, the CLI's commands
// among them) to one ES module, dist/server/server.mjs, which `npm start` and setup.sh run
// with plain `node`: no TypeScript compiler loaded at run time, in any cluster process.
// Packages stay external (imported from node_modules), so the server and Next's bundled
// routes share one copy of each: one prom-client registry, one postgres.js, one PGlite.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = path.join(root, 'dist/server/server.mjs');

// The API's routes are served by the server itself (lib/server/http/direct-api.ts), the
// dashboard's cookie through next-auth: whose ES modules import 'next/server' (and
// 'next/headers', 'next/navigation') without an extension, which plain node's ES module
// resolution refuses. So next-auth is bundled, and those imports point at Next's files.
const nextAuthBundled = {
  name: 'next-auth-bundled',
  setup(b) {
    b.onResolve({ filter: /^next\/(server|headers|navigation)$/ }, (args) => ({ path: `${args.path}.js`, external: true }));
    b.onResolve({ filter: /^next-auth(\/.*)?$/ }, (args) => ({ path: fileURLToPath(import.meta.resolve(args.path, pathToFileURL(path.join(root, 'package.json')).href)) }));
  },
};

await build({
  entryPoints: { server: path.join(root, 'server.ts') },
  // Split: what only some requests need (next-auth, for the dashboard's cookie) is a chunk of
  // its own, loaded on first use.
  outdir: path.dirname(serverBundle),
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [nextAuthBundled],
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // tsconfig.json's paths give '@/…'; its jsx setting is Next's, and the server has no JSX.
  tsconfig: path.join(root, 'tsconfig.json'),
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`built ${path.relative(root, serverBundle)}`);
