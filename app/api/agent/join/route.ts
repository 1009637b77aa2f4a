import { joinRoute } from '@/lib/join-keys/routes';

// POST /api/agent/join: an agent trades a reusable join key for an instance and its identity
export const POST = joinRoute;
