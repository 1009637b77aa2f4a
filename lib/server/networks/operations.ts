import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { createNetwork, deleteNetwork, getNetwork, listNetworks, updateNetwork } from './networks';
import { networkCreateSchema, networkUpdateSchema, someOf } from '../../core/networks/schemas';
import { networkGateway } from './gateway';

const id = z.string().regex(idPattern, 'Not a valid id.');

export const listNetworksOp = operation({
  name: 'networks.list',
  input: z.object({ projectId: id, tag: z.string().max(32).optional(), q: z.string().max(100).optional() }),
  permission: 'project.read', scope: (i) => ({ project: i.projectId }),
  run: (ctx, i) => listNetworks(ctx.db, i.projectId, { tag: i.tag || undefined, q: i.q || undefined }),
});

// Creates a network with a chosen or allocated CIDR (admins).
export const createNetworkOp = operation({
  name: 'networks.create', input: networkCreateSchema.extend({ projectId: id }),
  permission: 'network.write', scope: (i) => ({ project: i.projectId }),
  run: (ctx, { projectId, ...input }) => createNetwork(ctx.db, ctx.actor, projectId, input),
});

export const getNetworkOp = operation({
  name: 'networks.get', input: z.object({ networkId: id }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: async (ctx, i) => ({ ...(await getNetwork(ctx.db, i.networkId)), role: ctx.role }),
});

// Edits label, description and tags; the CIDR never changes (admins).
export const updateNetworkOp = operation({
  name: 'networks.update', input: networkUpdateSchema.extend({ networkId: id, cidr: z.never({ error: 'The CIDR of a network cannot change.' }).optional() })
    .refine(...someOf(['label', 'description', 'tags', 'autoGateway'])),
  permission: 'network.write', scope: (i) => ({ network: i.networkId }),
  run: (ctx, { networkId, cidr: _cidr, ...input }) => updateNetwork(ctx.db, ctx.actor, networkId, input),
});

// Deletes a network with its members and peers (admins).
export const deleteNetworkOp = operation({
  name: 'networks.delete', input: z.object({ networkId: id }),
  permission: 'network.write', scope: (i) => ({ network: i.networkId }),
  run: async (ctx, i) => { await deleteNetwork(ctx.db, ctx.actor, i.networkId); },
});

// Which host is the network's gateway (devices list it alone), and whether it is chosen automatically.
export const networkGatewayOp = operation({
  name: 'networks.gateway', input: z.object({ networkId: id }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: (ctx, i) => networkGateway(ctx.db, i.networkId),
});
