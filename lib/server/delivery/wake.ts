import type { Handle } from '../db/client';
import { configBus, configChannel } from './config-channel';
import { runWorkerRound, type RoundOptions } from './worker';

/*
 * Delivery woken by changes, not by a timer: the process LISTENs on the config channel and
 * runs a push round for a network as soon as a change to it commits, on whichever replica
 * made it. Bursts coalesce: while a network's round runs, further changes only ask for one
 * more round after it (which pushes the latest version). Rounds on several replicas at once
 * are safe (claims.ts): they split the hosts.
 */

export type Delivery = { stop: () => Promise<void> };

export async function startDelivery(handle: Handle, opts: Omit<RoundOptions, 'networkId'> = {}): Promise<Delivery> {
  if (!handle.listen) throw new Error('this database handle cannot LISTEN');
  const running = new Map<string, { again: boolean; done: Promise<void> }>();
  let stopped = false;

  const wake = (networkId: string | null) => {
    const key = networkId ?? '*';
    const current = running.get(key);
    if (current) { current.again = true; return; }
    const entry = { again: true, done: Promise.resolve() };
    running.set(key, entry);
    entry.done = (async () => {
      while (entry.again && !stopped) {
        entry.again = false;
        try {
          await runWorkerRound(handle.db, { ...opts, networkId: networkId ?? undefined });
        } catch (e) {
          console.error(`push round for ${networkId ?? 'every network'} failed (the safety-net timer retries)`, e);
        }
      }
      running.delete(key);
    })();
  };

  let listening = false;
  const unlisten = await handle.listen(configChannel, (networkId) => {
    wake(networkId);
    configBus.emit('change', networkId); // this process's held polls (the agents' channels)
  }, () => {
    // A re-established listening connection may have missed notifications: catch up on everything.
    if (listening) { wake(null); configBus.emit('resync'); }
    listening = true;
  });
  return {
    stop: async () => {
      stopped = true;
      await unlisten();
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
