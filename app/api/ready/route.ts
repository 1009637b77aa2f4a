import { readyRoute } from '@/lib/server/health';

export const dynamic = 'force-dynamic';

// GET /api/ready: the database is reachable and migrated (503 otherwise)
export const GET = readyRoute;
