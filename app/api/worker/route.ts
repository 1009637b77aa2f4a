import { getDb } from '@/lib/db/client';
import { env } from '@/lib/env';
import { errorResponse } from '@/lib/http/api';
import { workerGuard } from '@/lib/pushes/worker-guard';
import { runWorkerRound } from '@/lib/pushes/worker';

// POST /api/worker: one round of pushes and lease expiry (cron, with Bearer $WORKER_SECRET)
export async function POST(request: Request) {
  const refused = workerGuard(request.headers.get('authorization'), env().WORKER_SECRET);
  if (refused) return refused;
  try {
    return Response.json(await runWorkerRound(await getDb()));
  } catch (error) {
    return errorResponse(error);
  }
}
