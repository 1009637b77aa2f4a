import { Child } from './ipc';

/*
 * The writes that make the snapshot cache (lib/server/db/snapshot-cache.ts) miss: each update
 * is a new database snapshot, as push results and handshakes make them in production. In a
 * process of its own (bench/hot-writer-child.ts), so that the load generator sharing this
 * process's event loop (autocannon) does not slow its pace.
 */

/**
 * Updates one listed peer's rx_bytes `perSecond` times a second until stopped (each update a new
 * snapshot); 0: none. `{ deviceId }`: a device's last handshake instead (what its list shows).
 */
export async function startWriter(target: string | { deviceId: string }, perSecond: number): Promise<{ stop: () => Promise<number> }> {
  if (perSecond <= 0) return { stop: async () => 0 };
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('the hot writer needs DATABASE_URL (the bench database)');
  const child = new Child(process.cwd(), 'bench/hot-writer-child.ts', {}, 'hot writer');
  try {
    await child.call('start', { url, perSecond, ...(typeof target === 'string' ? { peerId: target } : target) }, 60_000);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return {
    stop: async () => {
      try {
        return await child.call<number>('stop', undefined, 30_000);
      } finally {
        await child.stop();
      }
    },
  };
}
