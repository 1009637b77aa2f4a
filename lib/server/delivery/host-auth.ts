import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { networks, peers } from '../db/schema';
import { AppError } from '../errors';
import { hashToken, secretTokenPattern } from '../auth/secret-token';
import { batched, batchedPer, csv } from '../db/batch';

/*
 * The host token issued at enrolment is the agent's credential on every call it makes. Only
 * its hash is stored, on the peer's row: a new enrolment replaces it, deleting the peer (or
 * its member, or its network) removes the row, so each of these revokes the old token at
 * the next lookup — which every call, and every wake of a held long-poll, makes. Lookups made
 * at the same moment (every held poll of a network woken by one change) are one query.
 */

/**
 * With what the channel needs from the same read: to keep a NAT'd host's address current, and
 * its network's config version as of this lookup (channel.ts).
 */
export type HostPrincipal = { peerId: string; networkId: string; endpoint: string | null; seenFrom: string | null; networkVersion: number };

const refused = (message: string) => new AppError(401, 'invalid_host_token', message);

const lookup = batchedPer((db: Db) => batched(async (hashes: string[]) => {
  const rows = await db.select({
    peerId: peers.id, networkId: peers.networkId, endpoint: peers.endpoint, seenFrom: sql<string | null>`host(${peers.seenFrom})`,
    networkVersion: networks.configVersion, hash: peers.hostTokenHash,
  }).from(peers).innerJoin(networks, eq(networks.id, peers.networkId))
    .where(sql`${peers.hostTokenHash} = any(string_to_array(${csv(hashes)}, ','))`);
  const byHash = new Map<string | null, HostPrincipal>(rows.map(({ hash, ...principal }) => [hash, principal]));
  return hashes.map((h) => byHash.get(h));
}));

export async function authenticateHost(db: Db, authorization: string | null): Promise<HostPrincipal> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw refused('Send Authorization: Bearer <the host token from enrolment>.');
  if (!secretTokenPattern.test(token) || !token.startsWith('mph_')) throw refused('This is not a host token.');
  const row = await lookup(db, hashToken(token));
  if (!row) throw refused('Unknown or revoked host token: the host was re-enrolled or removed. Enrol it again.');
  return row;
}
