import { agentBundle, agentFileName, notBuilt } from '@/lib/server/agent-download';

// GET /agent/meshplane-agent.mjs: the host agent as one file (`node meshplane-agent.mjs run`),
// built by `npm run build:agent`. Public and static, like any download (lib/server/agent-download.ts).

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  const bundle = await agentBundle();
  if (!bundle) return notBuilt();
  const etag = `"${bundle.sha256}"`;
  // Revalidated on every fetch (a new deployment serves a new agent); unchanged → 304.
  const headers = { etag, 'cache-control': 'no-cache' };
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(bundle.body), {
    headers: {
      ...headers,
      'content-type': 'text/javascript; charset=utf-8',
      'content-disposition': `attachment; filename="${agentFileName}"`,
      'x-content-type-options': 'nosniff',
    },
  });
}
