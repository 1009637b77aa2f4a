import { enrollRoute } from '@/lib/pushes/routes';

// POST /api/agent/enroll: an agent trades a one-time token for its identity
export const POST = enrollRoute;
