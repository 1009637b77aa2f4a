import { nextRoute } from '@/lib/pushes/routes';

export const dynamic = 'force-dynamic';

// GET /api/agent/v1/next?after=V: the agent's channel, a long-poll authenticated by its host token
export const GET = nextRoute;
