import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { networks, networkVersions, type Network } from '../db/schema';
import { notFound } from '../errors';
import { recordAudit, type Actor, type AuditEntry } from '../audit/record';
import { configChannel } from '../delivery/config-channel';

/** Every this many versions, the raise times no enrolled host can still need are dropped. */
const pruneEvery = 100;

/**
 * What a change answers. `audit` is written in its transaction, for its network's project;
 * `unchanged` rolls the change back (the version too) and still answers `result`.
 */
export type NetworkChange<T> = { result: T; audit?: Omit<AuditEntry, 'projectId'>; unchanged?: boolean };

/** The network's id, or how to find it (read in the change's transaction, before the lock). */
export type NetworkOf = string | ((tx: Tx) => Promise<string>);

class Unchanged<T> extends Error {
  constructor(readonly result: T) { super('unchanged'); }
}

/**
 * The one way to change what a network's hosts see. In one transaction (a savepoint when `db`
 * is already one): raises the config version first, whose row lock serializes every change
 * of the network (address allocation, gateway choice, lease renewals), runs `change`, writes
 * its audit row; errors pass through `mapError` (constraint names → the user's 409s).
 */
export async function changeNetwork<T>(
  db: Db | Tx, actor: Actor | null, networkOf: NetworkOf,
  change: (tx: Tx, network: Network) => Promise<NetworkChange<T>>,
  mapError: (e: unknown) => unknown = (e) => e,
): Promise<T> {
  try {
    return await db.transaction(async (tx) => {
      const network = await raiseVersion(tx, typeof networkOf === 'string' ? networkOf : await networkOf(tx));
      const { result, audit, unchanged } = await change(tx, network);
      if (unchanged) throw new Unchanged(result);
      if (audit) {
        if (!actor) throw new Error('an audited network change needs an actor');
        await recordAudit(tx, actor, { projectId: network.projectId, ...audit });
      }
      return result;
    });
  } catch (e) {
    if (e instanceof Unchanged) return e.result as T;
    throw mapError(e);
  }
}

/**
 * The raise time is kept (network_versions) for the metrics' "behind since", and every
 * server process is told at commit (NOTIFY), so delivery starts at once.
 */
async function raiseVersion(tx: Tx, networkId: string): Promise<Network> {
  const [network] = await tx.update(networks).set({ configVersion: sql`${networks.configVersion} + 1` })
    .where(eq(networks.id, networkId)).returning();
  if (!network) throw notFound('Network');
  await tx.insert(networkVersions).values({ networkId, version: network.configVersion }).onConflictDoNothing();
  // Delivered at commit to every listening process (lib/server/delivery/wake.ts); a rollback sends nothing.
  await tx.execute(sql`select pg_notify(${configChannel}, ${networkId})`);
  if (network.configVersion % pruneEvery === 0) {
    await tx.delete(networkVersions).where(and(eq(networkVersions.networkId, networkId), sql`${networkVersions.version} <= (
      select coalesce(min(applied_version), 0) from peers where network_id = ${networkId} and host_token_hash is not null)`));
  }
  return network;
}
