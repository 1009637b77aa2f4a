import { joinRoute } from '@/lib/server/join-keys/routes';

// POST /api/agent/join: an agent trades a reusable join key for an instance and its identity
export const POST = joinRoute;
