import { sql } from 'drizzle-orm';
import type { Db } from '../lib/server/db/client';
import { now } from './stats';

/*
 * The writes that make the snapshot cache (lib/server/db/snapshot-cache.ts) miss: each update
 * is a new database snapshot, as push results and handshakes make them in production.
 */

/** Updates one listed peer's rx_bytes `perSecond` times a second until stopped (each update a new snapshot); 0: none. */
export function startWriter(db: Db, peerId: string, perSecond: number) {
  let stopped = perSecond <= 0;
  let writes = 0;
  const limit = now() + 300_000; // bounded whatever happens to the caller
  const done = (async () => {
    for (const start = now(); !stopped && now() < limit; writes++) {
      await db.execute(sql`update peers set rx_bytes = rx_bytes + 1 where id = ${peerId}`);
      const ahead = start + (writes + 1) * (1000 / perSecond) - now();
      if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
    }
  })();
  return { stop: async () => { stopped = true; await done; return writes; } };
}
