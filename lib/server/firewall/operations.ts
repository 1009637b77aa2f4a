import { z } from 'zod';
import { operation } from '../auth/gate';
import { can } from '../../core/permissions';
import { forbidden, invalid } from '../errors';
import { idPattern } from '../../core/ids';
import { addRule, deleteRule, listRules } from './rules';
import { activeLeases, leaseNow, mayRenew, renewLease, revokeLease } from './leases';
import { coverageOf } from './allow-list';
import { getNetwork } from '../networks/networks';
import { leaseCreateSchema, noIpMessage, ruleCreateSchema } from '../../core/firewall/schemas';

const id = z.string().regex(idPattern, 'Not a valid id.');


// The network's rules and active leases, the caller's IP and whether hosts would accept it.
export const getFirewallOp = operation({
  name: 'firewall.get', input: z.object({ networkId: id }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: async (ctx, i) => {
    const now = new Date();
    const [rules, leases, network] = await Promise.all([listRules(ctx.db, i.networkId), activeLeases(ctx.db, i.networkId, now), getNetwork(ctx.db, i.networkId)]);
    const admin = can(ctx.role, 'network.write');
    const developer = can(ctx.role, 'access.own');
    return {
      rules,
      leases: leases.map((l) => ({ ...l, canRenew: developer && mayRenew({ userId: l.user?.id ?? null, ip: l.ip }, ctx.actor, admin) })),
      you: { userId: ctx.actor.userId, ip: ctx.actor.ip, coveredBy: coverageOf(ctx.actor.ip, rules, leases) },
      listenPort: network.listenPort,
      role: ctx.role,
      now,
    };
  },
});

// Adds a permanent rule: UDP to the WireGuard port from a CIDR (admins).
export const addRuleOp = operation({
  name: 'firewall.rules.add', input: ruleCreateSchema.extend({ networkId: id }),
  permission: 'network.write', scope: (i) => ({ network: i.networkId }),
  run: (ctx, { networkId, ...input }) => addRule(ctx.db, ctx.actor, networkId, input),
});

// Deletes a permanent rule (admins).
export const deleteRuleOp = operation({
  name: 'firewall.rules.delete', input: z.object({ ruleId: id }),
  permission: 'network.write', scope: (i) => ({ rule: i.ruleId }),
  run: async (ctx, i) => { await deleteRule(ctx.db, ctx.actor, i.ruleId); },
});

// Lease Now: the caller's own IP for 24 hours, or a stated IP (admins); renews a lease of the same IP.
export const leaseNowOp = operation({
  name: 'firewall.leases.create', input: leaseCreateSchema.extend({ networkId: id }),
  permission: 'access.own', scope: (i) => ({ network: i.networkId }),
  run: (ctx, i) => {
    if (i.ip !== undefined && i.ip !== ctx.actor.ip && !can(ctx.role, 'network.write')) {
      throw forbidden('Only admins may lease an IP address other than their own.');
    }
    const ip = i.ip ?? ctx.actor.ip;
    if (!ip) throw invalid(noIpMessage, 'ip');
    return leaseNow(ctx.db, ctx.actor, i.networkId, ip, new Date());
  },
});

// Renew: the lease ends 24 hours from now (its holder, anyone at its IP, or an admin).
export const renewLeaseOp = operation({
  name: 'firewall.leases.renew', input: z.object({ leaseId: id }),
  permission: 'access.own', scope: (i) => ({ lease: i.leaseId }),
  run: (ctx, i) => renewLease(ctx.db, ctx.actor, i.leaseId, new Date(), { anyLease: can(ctx.role, 'network.write') }),
});

// Revoke: closes a lease now (developers and above; it only ever takes access away).
export const revokeLeaseOp = operation({
  name: 'firewall.leases.revoke', input: z.object({ leaseId: id }),
  permission: 'access.own', scope: (i) => ({ lease: i.leaseId }),
  run: async (ctx, i) => { await revokeLease(ctx.db, ctx.actor, i.leaseId, new Date()); },
});
