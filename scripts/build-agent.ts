import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

/*
 * The agent as ONE self-contained file for hosts: `node meshplane-agent.mjs run …`, with no
 * node_modules beside it (zod, dns-packet, ws, @noble/*, ipaddr.js bundled in). ESM, Node 20.
 * dns-packet and ws are CommonJS and require Node's built-ins: the banner gives them a `require`.
 * ws's optional native speed-ups stay out: it falls back to its own JavaScript without them.
 */

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const defaultOutfile = path.join(root, 'dist/agent/meshplane-agent.mjs');

/*
 * zod re-exports its ~45 locales (`z.locales`, ~300 KB of the bundle's 570) from its namespace,
 * which esbuild cannot shake: the agent uses none but English (zod's default, imported by
 * zod itself), so the locales index becomes an empty module. Less to parse and keep in memory.
 */
const zodWithoutLocales: Plugin = {
  name: 'zod-without-locales',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-without-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-without-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

export async function buildAgent(outfile: string = defaultOutfile): Promise<string> {
  await build({
    entryPoints: [path.join(root, 'agent/cli.ts')],
    outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    minify: true, legalComments: 'none', logLevel: 'warning', plugins: [zodWithoutLocales],
    external: ['bufferutil', 'utf-8-validate'],
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __meshplaneRequire } from 'node:module'; const require = __meshplaneRequire(import.meta.url);" },
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAgent(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  console.log(`agent bundled: ${path.relative(process.cwd(), out)}`);
}
