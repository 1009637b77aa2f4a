import { reportRoute } from '@/lib/server/delivery/routes';

// POST /api/agent/v1/report: the agent's health and handshakes between documents (host token)
export const POST = reportRoute;
