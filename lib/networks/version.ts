import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { networks, networkVersions } from '../db/schema';
import { notFound } from '../errors';
import { configChannel } from '../pushes/config-channel';

/** Every this many versions, the raise times no enrolled host can still need are dropped. */
const pruneEvery = 100;

/**
 * Raises the network's config version. Called first in every transaction that changes any
 * host's config: the row lock it takes also serializes address allocation per network.
 * The raise time is kept (network_versions) for the metrics' "behind since", and every
 * server process is told at commit (NOTIFY), so delivery starts at once.
 */
export async function bumpConfigVersion(tx: Tx, networkId: string) {
  const [network] = await tx.update(networks).set({ configVersion: sql`${networks.configVersion} + 1` })
    .where(eq(networks.id, networkId)).returning();
  if (!network) throw notFound('Network');
  await tx.insert(networkVersions).values({ networkId, version: network.configVersion }).onConflictDoNothing();
  // Delivered at commit to every listening process (lib/pushes/wake.ts); a rollback sends nothing.
  await tx.execute(sql`select pg_notify(${configChannel}, ${networkId})`);
  if (network.configVersion % pruneEvery === 0) {
    await tx.delete(networkVersions).where(and(eq(networkVersions.networkId, networkId), sql`${networkVersions.version} <= (
      select coalesce(min(applied_version), 0) from peers where network_id = ${networkId} and host_token_hash is not null)`));
  }
  return network;
}
