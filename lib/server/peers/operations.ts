import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { updatePeerSchema } from '../../core/devices/schemas';
import { getPeer, listPeers } from './peers';
import { updatePeer } from './update';
import { peerReach } from './reach';

// The peers aggregate: a network's instances, their addresses, keys, enrolment and delivery state.

const id = z.string().regex(idPattern, 'Not a valid id.');

export const listPeersOp = operation({
  name: 'peers.list',
  input: z.object({
    networkId: id, q: z.string().max(200).optional(), memberId: id.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(), after: z.ipv4().optional(),
  }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: (ctx, { networkId, ...filter }) => listPeers(ctx.db, networkId, filter),
});

export const getPeerOp = operation({
  name: 'peers.get', input: z.object({ peerId: id }),
  permission: 'project.read', scope: (i) => ({ peer: i.peerId }),
  run: (ctx, i) => getPeer(ctx.db, i.peerId),
});

// Which hosts the peer reaches directly, which through the gateway, which not at all (the peer page).
export const getPeerReachOp = operation({
  name: 'peers.reach', input: z.object({ peerId: id }),
  permission: 'project.read', scope: (i) => ({ peer: i.peerId }),
  run: (ctx, i) => peerReach(ctx.db, i.peerId),
});

// Registers the public key (and endpoint) of a peer run by hand, or makes a peer the gateway (admins).
export const updatePeerOp = operation({
  name: 'peers.update', input: updatePeerSchema, permission: 'network.write',
  scope: (i) => ({ peer: i.peerId }),
  run: (ctx, { peerId, ...change }) => updatePeer(ctx.db, ctx.actor, peerId, change),
});
