import { enrollRoute } from '@/lib/server/delivery/routes';

// POST /api/agent/enroll: an agent trades a one-time token for its identity
export const POST = enrollRoute;
