// Bundles the meshplane CLI (cli/meshplane.ts) into one self-contained ES module, served by
// the control plane at GET /cli/meshplane.mjs: `node meshplane.mjs …` needs nothing else.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cliBundle = path.join(root, 'dist/cli/meshplane.mjs');

mkdirSync(path.dirname(cliBundle), { recursive: true });
await build({
  entryPoints: [path.join(root, 'cli/meshplane.ts')],
  outfile: cliBundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // CommonJS dependencies (qrcode) call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
console.log(`built ${path.relative(root, cliBundle)}`);
