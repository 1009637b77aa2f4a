import { getDb } from '../db/client';
import { env } from '../env';
import { runWorkerRound } from './worker';

/*
 * Development convenience (and MESHPLANE_WORKER_TIMER=1): the push worker runs itself every
 * MESHPLANE_DEV_WORKER_INTERVAL_MS (0 turns it off). One round at a time in this process;
 * rounds elsewhere (cron, "Push now") are safe alongside. In production cron calls
 * POST /api/worker instead (README).
 */

const state = globalThis as unknown as { meshplaneWorkerTimer?: NodeJS.Timeout };

export function startWorkerTimer() {
  const interval = env().MESHPLANE_DEV_WORKER_INTERVAL_MS;
  if (interval <= 0 || state.meshplaneWorkerTimer) return; // hot reload must not start a second one
  const tick = async () => {
    try {
      const r = await runWorkerRound(await getDb());
      if (r.claimed > 0 || r.leasesExpired > 0) {
        console.log(`push worker: ${r.claimed} claimed, ${r.applied} applied, ${r.failed} failed, ${r.leasesExpired} leases expired`);
      }
    } catch (e) {
      console.error('push worker round failed', e);
    }
    state.meshplaneWorkerTimer = setTimeout(tick, interval);
    state.meshplaneWorkerTimer.unref();
  };
  state.meshplaneWorkerTimer = setTimeout(tick, interval);
  state.meshplaneWorkerTimer.unref();
}
