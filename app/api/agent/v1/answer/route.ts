import { answerRoute } from '@/lib/server/delivery/routes';

// POST /api/agent/v1/answer: the agent's answer to an envelope it got over its channel
export const POST = answerRoute;
