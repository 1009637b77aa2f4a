import { agentBundle, notBuilt, sha256Line } from '@/lib/server/agent-download';

// GET /agent/meshplane-agent.mjs.sha256: `<hex>  meshplane-agent.mjs`, for `sha256sum -c`.

export const dynamic = 'force-dynamic';

export async function GET() {
  const bundle = await agentBundle();
  if (!bundle) return notBuilt();
  return new Response(sha256Line(bundle.sha256), {
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' },
  });
}
