import { installScript } from '@/lib/server/agent-download';
import { publicUrl } from '@/lib/server/public-url';

// GET /agent/install.sh: agent/install.sh with MESHPLANE_PUBLIC_URL as its server
// (`curl -fsSL URL/agent/install.sh | sudo sh -s -- --key K`). Unset, the script asks for --server.

export const dynamic = 'force-dynamic';

export async function GET() {
  return new Response(await installScript(publicUrl()), {
    headers: { 'content-type': 'text/x-shellscript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' },
  });
}
