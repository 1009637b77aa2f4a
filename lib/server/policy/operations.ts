import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { addPolicyRule, deletePolicyRule, getPolicy, listPolicyRules, reachability, setPolicyMode } from './rules';
import { policyModeSchema, policyRuleCreateShape, reachabilityQueryShape, withPortRequired, withRuleChecks } from '../../core/policy/schemas';

const id = z.string().regex(idPattern, 'Not a valid id.');

// The network's access-policy mode and rules (anyone in the team).
export const getPolicyOp = operation({
  name: 'policy.get', input: z.object({ networkId: id }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: async (ctx, i) => ({ ...(await getPolicy(ctx.db, i.networkId)), role: ctx.role }),
});

// Switches the network between open and isolated (admins).
export const setPolicyModeOp = operation({
  name: 'policy.mode', input: policyModeSchema.extend({ networkId: id }),
  permission: 'network.write', scope: (i) => ({ network: i.networkId }),
  run: (ctx, i) => setPolicyMode(ctx.db, ctx.actor, i.networkId, i.mode),
});

export const listPolicyRulesOp = operation({
  name: 'policy.rules.list', input: z.object({ networkId: id }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: (ctx, i) => listPolicyRules(ctx.db, i.networkId),
});

// Adds an allow rule {from, to, protocol, ports, note?} (admins).
export const addPolicyRuleOp = operation({
  name: 'policy.rules.add', input: withRuleChecks(policyRuleCreateShape.extend({ networkId: id })),
  permission: 'network.write', scope: (i) => ({ network: i.networkId }),
  run: (ctx, { networkId, ...input }) => addPolicyRule(ctx.db, ctx.actor, networkId, input),
});

// Deletes an allow rule (admins).
export const deletePolicyRuleOp = operation({
  name: 'policy.rules.delete', input: z.object({ policyRuleId: id }),
  permission: 'network.write', scope: (i) => ({ policyRule: i.policyRuleId }),
  run: async (ctx, i) => { await deletePolicyRule(ctx.db, ctx.actor, i.policyRuleId); },
});

// Can X reach Y on port P/protocol, and which rule decides (anyone in the team).
export const reachabilityOp = operation({
  name: 'policy.reachability', input: withPortRequired(reachabilityQueryShape.extend({ networkId: id })),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: (ctx, { networkId, ...q }) => reachability(ctx.db, networkId, q),
});
