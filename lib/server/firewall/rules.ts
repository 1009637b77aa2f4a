import { asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db, Queryable, Tx } from '../db/client';
import { firewallRules, users } from '../db/schema';
import { newId } from '../../core/ids';
import { conflict, invalid, notFound, pgConstraint } from '../errors';
import type { Actor } from '../audit/record';
import { changeNetwork } from '../networks/change';
import { addressCount, isBroad, type ruleCreateSchema } from '../../core/firewall/schemas';

// inet prints a /32 as a bare address; rules are always shown and sent with their prefix.
const cidrText = sql<string>`host(${firewallRules.cidr}) || '/' || masklen(${firewallRules.cidr})`;

export type RuleView = {
  id: string; networkId: string; cidr: string; note: string;
  createdBy: { id: string; email: string; name: string } | null; createdAt: Date;
};

export async function listRules(db: Queryable, networkId: string): Promise<RuleView[]> {
  const list = await db.select({
    id: firewallRules.id, networkId: firewallRules.networkId, cidr: cidrText, note: firewallRules.note,
    createdAt: firewallRules.createdAt, userId: users.id, email: users.email, name: users.name,
  }).from(firewallRules).leftJoin(users, eq(users.id, firewallRules.createdBy))
    .where(eq(firewallRules.networkId, networkId))
    .orderBy(asc(firewallRules.createdAt), asc(firewallRules.id));
  return list.map(({ userId, email, name, ...r }) => ({ ...r, createdBy: userId ? { id: userId, email: email!, name: name ?? '' } : null }));
}

/** Only the CIDRs, for the allow-list. */
export async function ruleCidrs(db: Queryable, networkId: string): Promise<string[]> {
  const list = await db.select({ cidr: cidrText }).from(firewallRules).where(eq(firewallRules.networkId, networkId)).orderBy(asc(cidrText));
  return list.map((r) => r.cidr);
}

/** Adds a permanent rule; a rule broader than /8 or /32 must be confirmed, a duplicate is a 409. */
export async function addRule(db: Db, actor: Actor, networkId: string, input: z.output<typeof ruleCreateSchema>) {
  const { cidr } = input.cidr;
  if (isBroad(input.cidr) && !input.confirmBroad) {
    throw invalid(`${cidr} opens the WireGuard port to ${addressCount(input.cidr)} addresses. Confirm that this broad rule is intended.`, 'confirmBroad');
  }
  return changeNetwork(db, actor, networkId, async (tx, network) => {
    const [rule] = await tx.insert(firewallRules).values({ id: newId('rule'), networkId, cidr, note: input.note, createdBy: actor.userId })
      .returning({ id: firewallRules.id, createdAt: firewallRules.createdAt });
    return {
      result: { id: rule.id, networkId, cidr, note: input.note, createdAt: rule.createdAt, configVersion: network.configVersion },
      audit: { action: 'firewall.rule.add', resourceType: 'firewall_rule', resourceId: rule.id, details: { networkId, cidr, note: input.note, ...(isBroad(input.cidr) ? { confirmedBroad: true } : {}) } },
    };
  }, (e) => (pgConstraint(e) === 'firewall_rules_network_cidr_uq' ? conflict(`${cidr} is already a rule of this network.`, 'cidr', 'duplicate_rule') : e));
}

export async function deleteRule(db: Db, actor: Actor, ruleId: string) {
  const networkOfRule = async (tx: Tx) => {
    const [found] = await tx.select({ networkId: firewallRules.networkId }).from(firewallRules).where(eq(firewallRules.id, ruleId));
    if (!found) throw notFound('Rule');
    return found.networkId;
  };
  await changeNetwork(db, actor, networkOfRule, async (tx, network) => {
    const [gone] = await tx.delete(firewallRules).where(eq(firewallRules.id, ruleId)).returning({ cidr: cidrText, note: firewallRules.note });
    // Deleted by a concurrent request between our read and the network lock.
    if (!gone) throw notFound('Rule');
    return { result: undefined, audit: { action: 'firewall.rule.delete', resourceType: 'firewall_rule', resourceId: ruleId, details: { networkId: network.id, cidr: gone.cidr, note: gone.note } } };
  });
}
