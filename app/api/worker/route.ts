import { workerRoute } from '@/lib/server/delivery/routes';

// POST /api/worker: one round of pushes and lease expiry (cron, with Bearer $WORKER_SECRET)
export const POST = workerRoute;
