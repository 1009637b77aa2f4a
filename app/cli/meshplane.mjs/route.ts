import { readFile } from 'node:fs/promises';
import path from 'node:path';

// GET /cli/meshplane.mjs: the meshplane CLI as one file (`node meshplane.mjs --help`), built by
// `npm run build` (scripts/build-cli.mjs). Public and static, like any download: it holds no secret.

export const dynamic = 'force-dynamic';

const bundle = () => path.join(/* turbopackIgnore: true */ process.cwd(), 'dist', 'cli', 'meshplane.mjs');

export async function GET() {
  let body: Buffer;
  try {
    body = await readFile(bundle());
  } catch {
    return new Response('The CLI is not built on this server: run `npm run build`.\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      'content-disposition': 'attachment; filename="meshplane.mjs"',
      'cache-control': 'no-cache',
    },
  });
}
