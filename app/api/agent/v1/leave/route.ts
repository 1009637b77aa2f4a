import { leaveRoute } from '@/lib/server/join-keys/routes';

// POST /api/agent/v1/leave: the host (its token) gives its instance up
export const POST = leaveRoute;
