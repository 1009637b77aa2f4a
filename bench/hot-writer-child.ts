/*
 * bench/hot-writer.ts's process: one connection, one update at a time, paced to `perSecond`,
 * bounded to five minutes whatever happens to the parent.
 */
import postgres from 'postgres';
import { serveParent } from './ipc';
import { now } from './stats';

let stopped = false;
let writes = 0;
let client: ReturnType<typeof postgres> | null = null;
let done: Promise<void> = Promise.resolve();

serveParent({
  start: async ({ url, perSecond, peerId, deviceId }: { url: string; perSecond: number; peerId?: string; deviceId?: string }) => {
    const db = postgres(url, { max: 1, onnotice: () => {} });
    client = db;
    await db`select 1`;
    const limit = now() + 300_000;
    done = (async () => {
      for (const start = now(); !stopped && now() < limit; writes++) {
        if (deviceId) await db`update devices set last_handshake_at = now() where id = ${deviceId}`;
        else await db`update peers set rx_bytes = rx_bytes + 1 where id = ${peerId!}`;
        const ahead = start + (writes + 1) * (1000 / perSecond) - now();
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
      }
    })();
    return true;
  },
  stop: async () => {
    stopped = true;
    await done;
    await client?.end();
    return writes;
  },
});
