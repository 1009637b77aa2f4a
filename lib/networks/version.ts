import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/client';
import { networks } from '../db/schema';
import { notFound } from '../errors';

/**
 * Raises the network's config version. Called first in every transaction that changes any
 * host's config: the row lock it takes also serializes address allocation per network.
 */
export async function bumpConfigVersion(tx: Tx, networkId: string) {
  const [network] = await tx.update(networks).set({ configVersion: sql`${networks.configVersion} + 1` })
    .where(eq(networks.id, networkId)).returning();
  if (!network) throw notFound('Network');
  return network;
}
