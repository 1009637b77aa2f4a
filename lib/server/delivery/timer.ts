import { getDb } from '../db/client';
import { env } from '../env';
import { runWorkerRound } from './worker';

/*
 * The safety net under change-woken delivery (wake.ts): the push worker runs itself every
 * MESHPLANE_WORKER_INTERVAL_MS (30 s; MESHPLANE_DEV_WORKER_INTERVAL_MS with --dev; 0 turns
 * it off), for hosts in backoff and lease expiry. On by default (MESHPLANE_WORKER_TIMER=0
 * turns it off). One round at a time in this process; rounds elsewhere (cron, "Push now",
 * other replicas) are safe alongside.
 */

const state = globalThis as unknown as { meshplaneWorkerTimer?: NodeJS.Timeout };

export function startWorkerTimer(dev: boolean) {
  const interval = dev ? env().MESHPLANE_DEV_WORKER_INTERVAL_MS : env().MESHPLANE_WORKER_INTERVAL_MS;
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
