import { and, asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Queryable, Tx } from '../db/client';
import { members, networks, peers, policyRules, processes, users } from '../db/schema';
import { newId } from '../../core/ids';
import { conflict, invalid, notFound, pgConstraint } from '../errors';
import type { Actor } from '../audit/record';
import { changeNetwork, type NetworkChange } from '../networks/change';
import { deviceBlock } from '../../core/addressing';
import type { Policy, PolicyMode } from '../../core/policy/document';
import { resolveSelector, type TaggedHost } from '../../core/policy/resolve';
import { parseSelector, type policyRuleCreateSchema } from '../../core/policy/schemas';
import { decide } from '../../core/policy/compile';

export type PolicyRuleView = {
  id: string; networkId: string; from: string; to: string; protocol: 'tcp' | 'udp' | 'icmp' | 'any'; ports: string; note: string;
  createdBy: { id: string; email: string; name: string } | null; createdAt: Date;
};

export async function listPolicyRules(db: Queryable, networkId: string): Promise<PolicyRuleView[]> {
  const list = await db.select({
    id: policyRules.id, networkId: policyRules.networkId, from: policyRules.fromSelector, to: policyRules.toSelector,
    protocol: policyRules.protocol, ports: policyRules.ports, note: policyRules.note, createdAt: policyRules.createdAt,
    userId: users.id, email: users.email, name: users.name,
  }).from(policyRules).leftJoin(users, eq(users.id, policyRules.createdBy))
    .where(eq(policyRules.networkId, networkId)).orderBy(asc(policyRules.createdAt), asc(policyRules.id));
  return list.map(({ userId, email, name, ...r }) => ({ ...r, createdBy: userId ? { id: userId, email: email!, name: name ?? '' } : null }));
}

export async function getPolicy(db: Queryable, networkId: string) {
  const [network] = await db.select({ mode: networks.policyMode }).from(networks).where(eq(networks.id, networkId));
  if (!network) throw notFound('Network');
  return { mode: network.mode, rules: await listPolicyRules(db, networkId) };
}

export async function setPolicyMode(db: Db, actor: Actor, networkId: string, mode: PolicyMode) {
  return changeNetwork(db, actor, networkId, async (tx, network): Promise<NetworkChange<{ mode: PolicyMode; configVersion: number | null }>> => {
    const before = network.policyMode;
    if (before === mode) return { result: { mode, configVersion: null }, unchanged: true };
    await tx.update(networks).set({ policyMode: mode }).where(eq(networks.id, networkId));
    return {
      result: { mode, configVersion: network.configVersion },
      audit: { action: 'policy.mode', resourceType: 'network', resourceId: networkId, details: { from: before, to: mode } },
    };
  });
}

/** Checks that a selector names something of this network; the member it names, if any. */
async function checkSelector(db: Queryable, networkId: string, text: string, field: 'from' | 'to'): Promise<string | null> {
  const s = parseSelector(text);
  if (!s) throw invalid(`"${text}" is not a selector.`, field);
  if (s.kind === 'devices') return null;
  if (s.kind === 'tag') {
    const [found] = await db.select({ id: members.id }).from(members)
      .where(and(eq(members.networkId, networkId), sql`${s.tag} = any(${members.tags})`)).limit(1);
    if (!found) throw invalid(`No member of this network is tagged "${s.tag}".`, field);
    return null;
  }
  const [member] = await db.select({ networkId: members.networkId, label: members.label }).from(members).where(eq(members.id, s.memberId));
  if (!member) throw invalid(`There is no member ${s.memberId}.`, field);
  if (member.networkId !== networkId) throw invalid(`${s.memberId} (${member.label}) is a member of another network.`, field);
  if (s.kind === 'process') {
    const [proc] = await db.select({ name: processes.name }).from(processes)
      .where(and(eq(processes.memberId, s.memberId), eq(processes.name, s.process)));
    if (!proc) throw invalid(`${member.label} has no process "${s.process}".`, field);
  }
  return s.memberId;
}

export async function addPolicyRule(db: Db, actor: Actor, networkId: string, input: z.output<typeof policyRuleCreateSchema>) {
  return changeNetwork(db, actor, networkId, async (tx, network) => {
    const fromMemberId = await checkSelector(tx, networkId, input.from, 'from');
    const toMemberId = await checkSelector(tx, networkId, input.to, 'to');
    const [rule] = await tx.insert(policyRules).values({
      id: newId('policyRule'), networkId, fromSelector: input.from, toSelector: input.to, fromMemberId, toMemberId,
      protocol: input.protocol, ports: input.ports, note: input.note, createdBy: actor.userId,
    }).returning({ id: policyRules.id, createdAt: policyRules.createdAt });
    return {
      result: { id: rule.id, networkId, ...input, createdAt: rule.createdAt, configVersion: network.configVersion },
      audit: {
        action: 'policy.rule.add', resourceType: 'policy_rule', resourceId: rule.id,
        details: { networkId, from: input.from, to: input.to, protocol: input.protocol, ports: input.ports, note: input.note },
      },
    };
  }, (e) => (pgConstraint(e) === 'policy_rules_network_rule_uq'
    ? conflict(`A rule from ${input.from} to ${input.to} on ${input.protocol} ${input.ports} already exists.`, 'from', 'duplicate_rule') : e));
}

export async function deletePolicyRule(db: Db, actor: Actor, ruleId: string) {
  const networkOfRule = async (tx: Tx) => {
    const [found] = await tx.select({ networkId: policyRules.networkId }).from(policyRules).where(eq(policyRules.id, ruleId));
    if (!found) throw notFound('Rule');
    return found.networkId;
  };
  await changeNetwork(db, actor, networkOfRule, async (tx, network) => {
    const [gone] = await tx.delete(policyRules).where(eq(policyRules.id, ruleId))
      .returning({ from: policyRules.fromSelector, to: policyRules.toSelector, protocol: policyRules.protocol, ports: policyRules.ports });
    if (!gone) throw notFound('Rule'); // deleted between the lookup and the network lock
    return { result: undefined, audit: { action: 'policy.rule.delete', resourceType: 'policy_rule', resourceId: ruleId, details: { networkId: network.id, ...gone } } };
  });
}

/** The hosts of a network with their members' tags, for resolving selectors. */
export async function taggedHosts(q: Queryable, networkId: string): Promise<TaggedHost[]> {
  return q.select({ memberId: peers.memberId, process: peers.process, ip: sql<string>`host(${peers.ip})`, tags: members.tags })
    .from(peers).innerJoin(members, eq(members.id, peers.memberId)).where(eq(peers.networkId, networkId));
}

/** The policy as the network document carries it: selectors resolved to addresses. */
export async function documentPolicy(q: Queryable, networkId: string, mode: PolicyMode, cidr: string, hosts: TaggedHost[]): Promise<Policy> {
  const rules = await q.select({ id: policyRules.id, from: policyRules.fromSelector, to: policyRules.toSelector, protocol: policyRules.protocol, ports: policyRules.ports })
    .from(policyRules).where(eq(policyRules.networkId, networkId)).orderBy(asc(policyRules.createdAt), asc(policyRules.id));
  const block = deviceBlock(cidr);
  const resolve = (text: string) => { const s = parseSelector(text); return s ? resolveSelector(s, hosts, block) : []; };
  return { mode, rules: rules.map((r) => ({ id: r.id, from: resolve(r.from), to: resolve(r.to), protocol: r.protocol, ports: r.ports })) };
}

/** Can `from` reach `to` on protocol/port now: the same decision the hosts' nft makes. */
export async function reachability(db: Db, networkId: string, q: { from: string; to: string; protocol: 'tcp' | 'udp' | 'icmp'; port?: number }) {
  const [network] = await db.select({ mode: networks.policyMode, cidr: networks.cidr }).from(networks).where(eq(networks.id, networkId));
  if (!network) throw notFound('Network');
  await checkSelector(db, networkId, q.from, 'from');
  await checkSelector(db, networkId, q.to, 'to');
  const hosts = await taggedHosts(db, networkId);
  const policy = await documentPolicy(db, networkId, network.mode, network.cidr, hosts);
  const block = deviceBlock(network.cidr);
  const from = resolveSelector(parseSelector(q.from)!, hosts, block);
  const to = resolveSelector(parseSelector(q.to)!, hosts, block);
  const d = decide(policy, from, to, q.protocol, q.port ?? null);
  const rule = d.rule ? (await listPolicyRules(db, networkId)).find((r) => r.id === d.rule!.id) : undefined;
  const reason = d.reason === 'open' ? 'The network is open: every member reaches every other on every port.'
    : d.reason === 'rule' ? `Allowed by rule ${rule?.id}.`
      : from.length === 0 || to.length === 0 ? `No host matches ${from.length === 0 ? q.from : q.to} yet.` : 'No rule allows it.';
  return { allowed: d.allowed, ...(rule ? { rule } : {}), mode: network.mode, reason };
}
