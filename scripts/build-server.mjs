// Compiles the production server (server.ts and the lib/ code it imports, the CLI's commands
// among them) to one ES module, dist/server/server.mjs, which `npm start` and setup.sh run
// with plain `node`: no TypeScript compiler loaded at run time, in any cluster process.
// Packages stay external (imported from node_modules), so the server and Next's bundled
// routes share one copy of each: one prom-client registry, one postgres.js, one PGlite.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const serverBundle = path.join(root, 'dist/server/server.mjs');

await build({
  entryPoints: [path.join(root, 'server.ts')],
  outfile: serverBundle,
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
