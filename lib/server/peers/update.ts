import { and, eq, ne } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '../db/client';
import { deviceAddresses, devices, networks, peers } from '../db/schema';
import { conflict, notFound } from '../errors';
import type { Actor } from '../audit/record';
import { changeNetwork } from '../networks/change';
import { getPeer } from './peers';
import { claimPublicKey, keyConflictOf } from '../devices/addresses';
import { assemblePeerConfig } from '../../core/devices/peer-config';
import { hostsOf } from '../devices/queries';
import type { PeerConfigBody } from '../../core/devices/types';

export type PeerChange = { publicKey?: string; endpoint?: string | null; gateway?: boolean };

/**
 * PATCH /peers/{id}: registers the public key (and endpoint) of a peer run by hand, and/or
 * makes it the network's gateway (at most one: the previous one is unset). One transaction,
 * one version bump. Answers the peer and, when a key was registered, its config body.
 */
export async function updatePeer(db: Db, actor: Actor, peerId: string, change: PeerChange) {
  const networkOfPeer = async (tx: Tx) => {
    const [peer] = await tx.select({ networkId: peers.networkId }).from(peers).where(eq(peers.id, peerId));
    if (!peer) throw notFound('Peer');
    return peer.networkId;
  };
  // The network's lock also serializes gateway changes.
  await changeNetwork(db, actor, networkOfPeer, async (tx) => {
    const [peer] = await tx.select().from(peers).where(eq(peers.id, peerId));
    if (!peer) throw notFound('Peer');
    if (change.publicKey !== undefined) {
      // The agent made this host's key and keeps the private half: replacing it cuts the host off.
      if (peer.hostTokenHash) throw conflict('This host is run by the Meshplane agent, which manages its key. Re-enrol the host to change it.', 'publicKey', 'agent_managed');
      await claimPublicKey(tx, change.publicKey, { peerId });
    }
    if (change.gateway) await tx.update(peers).set({ isGateway: false }).where(and(eq(peers.networkId, peer.networkId), ne(peers.id, peerId)));
    const set = {
      ...(change.publicKey !== undefined ? { publicKey: change.publicKey } : {}),
      ...(change.endpoint !== undefined ? { endpoint: change.endpoint } : {}),
      ...(change.gateway !== undefined ? { isGateway: change.gateway } : {}),
    };
    await tx.update(peers).set(set).where(eq(peers.id, peerId));
    // Record what changed, not the key itself: keys are public, but the log is about actions.
    return {
      result: undefined,
      audit: { action: 'peer.update', resourceType: 'peer', resourceId: peerId, details: { keyRegistered: change.publicKey !== undefined, endpoint: change.endpoint, gateway: change.gateway } },
    };
  }, keyConflictOf);
  const peer = await getPeer(db, peerId);
  return { ...peer, config: change.publicKey !== undefined ? await peerConfig(db, peerId) : null };
}

/** The config body of a peer run by hand: the other hosts, and devices where no gateway routes them. */
export async function peerConfig(q: Queryable, peerId: string): Promise<PeerConfigBody> {
  const [self] = await q.select({ peerId: peers.id, ip: peers.ip, isGateway: peers.isGateway, endpoint: peers.endpoint, networkId: peers.networkId, cidr: networks.cidr, listenPort: networks.listenPort })
    .from(peers).innerJoin(networks, eq(networks.id, peers.networkId)).where(eq(peers.id, peerId));
  if (!self) throw notFound('Peer');
  const hosts = (await hostsOf(q, [self.networkId])).get(self.networkId) ?? [];
  const deviceList = await q.select({ publicKey: devices.publicKey, ip: deviceAddresses.ip }).from(deviceAddresses)
    .innerJoin(devices, eq(devices.id, deviceAddresses.deviceId)).where(eq(deviceAddresses.networkId, self.networkId));
  return assemblePeerConfig({ self, cidr: self.cidr, listenPort: self.listenPort, devices: deviceList, hosts });
}
