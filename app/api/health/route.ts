import { healthRoute } from '@/lib/server/health';

export const dynamic = 'force-dynamic';

// GET /api/health: the process is up (no database access), for load balancers and orchestrators
export const GET = healthRoute;
