import { nextRoute } from '@/lib/server/delivery/routes';

export const dynamic = 'force-dynamic';

// GET /api/agent/v1/next?after=V: the agent's channel, a long-poll authenticated by its host token;
// POST the same with the answer to the previous envelope as its body
export const GET = nextRoute;
export const POST = nextRoute;
