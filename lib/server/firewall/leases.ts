import { and, asc, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client';
import { leases, users } from '../db/schema';
import { newId } from '../../core/ids';
import { conflict, forbidden, notFound } from '../errors';
import type { Actor } from '../audit/record';
import { changeNetwork } from '../networks/change';
import { leaseDurationMs } from '../../core/firewall/schemas';

/*
 * 24-hour leases. Every function takes `now`, so tests can move time. Every change is a
 * changeNetwork: its lock on the network row serializes lease changes per network, which is
 * what makes "Lease Now twice from one IP renews" safe without a unique index.
 */

// Always a bare address, whatever the driver prints for inet.
const ipText = sql<string>`host(${leases.ip})`;
const isActive = (now: Date) => and(isNull(leases.revokedAt), gt(leases.expiresAt, now));

export type LeaseView = {
  id: string; networkId: string; ip: string; expiresAt: Date; createdAt: Date;
  user: { id: string; email: string; name: string } | null;
};

/** Leases that are neither revoked nor expired at `now`, soonest to end first. */
export async function activeLeases(db: Queryable, networkId: string, now: Date): Promise<LeaseView[]> {
  const list = await db.select({
    id: leases.id, networkId: leases.networkId, ip: ipText, expiresAt: leases.expiresAt, createdAt: leases.createdAt,
    userId: users.id, email: users.email, name: users.name,
  }).from(leases).leftJoin(users, eq(users.id, leases.userId))
    .where(and(eq(leases.networkId, networkId), isActive(now)))
    .orderBy(asc(leases.expiresAt), asc(leases.id));
  return list.map(({ userId, email, name, ...l }) => ({ ...l, user: userId ? { id: userId, email: email!, name: name ?? '' } : null }));
}

const leaseResult = { id: leases.id, ip: ipText, expiresAt: leases.expiresAt };

/** Leases `ip` for 24 hours; an active lease of the same IP is renewed instead of duplicated. */
export async function leaseNow(db: Db, actor: Actor, networkId: string, ip: string, now: Date) {
  const expiresAt = new Date(now.getTime() + leaseDurationMs);
  return changeNetwork(db, actor, networkId, async (tx, network) => {
    const [renewed] = await tx.update(leases).set({ expiresAt })
      .where(and(eq(leases.networkId, networkId), eq(leases.ip, ip), isActive(now))).returning(leaseResult);
    const lease = renewed ?? (await tx.insert(leases).values({ id: newId('lease'), networkId, ip, userId: actor.userId, expiresAt }).returning(leaseResult))[0];
    return {
      result: { ...lease, renewed: !!renewed, configVersion: network.configVersion },
      audit: {
        action: renewed ? 'firewall.lease.renew' : 'firewall.lease.create', resourceType: 'lease', resourceId: lease.id,
        details: { networkId, ip: lease.ip, expiresAt: expiresAt.toISOString(), ...(actor.ip === lease.ip ? {} : { statedIp: true }) },
      },
    };
  });
}

async function findLease(db: Queryable, leaseId: string) {
  const [lease] = await db.select({ id: leases.id, networkId: leases.networkId, ip: ipText, userId: leases.userId }).from(leases).where(eq(leases.id, leaseId));
  if (!lease) throw notFound('Lease');
  return lease;
}

const ended = () => conflict('This lease has already ended (revoked or expired). Press Lease Now for a new one.', undefined, 'lease_ended');

/** Who may extend a lease: its holder, anyone now at its IP, or an admin (`anyLease`). */
export function mayRenew(lease: { userId: string | null; ip: string }, actor: Actor, anyLease: boolean): boolean {
  return anyLease || lease.userId === actor.userId || (actor.ip !== null && lease.ip === actor.ip);
}

/** Sets an active lease to end 24 hours from `now`. */
export async function renewLease(db: Db, actor: Actor, leaseId: string, now: Date, opts: { anyLease: boolean }) {
  const found = await findLease(db, leaseId);
  // Renewing someone else's address is leasing a stated IP, which only admins may do.
  if (!mayRenew(found, actor, opts.anyLease)) throw forbidden('Only admins may renew a lease for someone else\'s IP address.');
  const expiresAt = new Date(now.getTime() + leaseDurationMs);
  return changeNetwork(db, actor, found.networkId, async (tx, network) => {
    const [lease] = await tx.update(leases).set({ expiresAt }).where(and(eq(leases.id, leaseId), isActive(now))).returning(leaseResult);
    if (!lease) throw ended();
    return {
      result: { ...lease, configVersion: network.configVersion },
      audit: { action: 'firewall.lease.renew', resourceType: 'lease', resourceId: leaseId, details: { networkId: found.networkId, ip: lease.ip, expiresAt: expiresAt.toISOString() } },
    };
  });
}

/** Ends an active lease now; hosts drop it at the next push. */
export async function revokeLease(db: Db, actor: Actor, leaseId: string, now: Date) {
  const found = await findLease(db, leaseId);
  await changeNetwork(db, actor, found.networkId, async (tx) => {
    const [lease] = await tx.update(leases).set({ revokedAt: now }).where(and(eq(leases.id, leaseId), isActive(now))).returning(leaseResult);
    if (!lease) throw ended();
    return {
      result: undefined,
      audit: { action: 'firewall.lease.revoke', resourceType: 'lease', resourceId: leaseId, details: { networkId: found.networkId, ip: lease.ip, wasUntil: lease.expiresAt.toISOString() } },
    };
  });
}

/**
 * For the push worker: takes leases that expired by `now` out of the configs by raising
 * their networks' versions, once per network; returns how many leases it handled. Hosts have
 * already closed them (each element has its own timeout), so this only tidies the configs.
 * One transaction per network, network row locked first like every other change: two
 * workers never bump twice for the same leases, and never deadlock with a renewal.
 */
export async function expireLeases(db: Db, now: Date): Promise<number> {
  const due = and(lte(leases.expiresAt, now), isNull(leases.expiredHandledAt), isNull(leases.revokedAt));
  const networkIds = await db.selectDistinct({ networkId: leases.networkId }).from(leases).where(due);
  let count = 0;
  for (const { networkId } of networkIds) {
    try {
      count += await changeNetwork(db, null, networkId, async (tx) => {
        const handled = await tx.update(leases).set({ expiredHandledAt: now }).where(and(eq(leases.networkId, networkId), due)).returning({ id: leases.id });
        // Another worker got here first: undo our bump rather than push a config for nothing.
        return { result: handled.length, unchanged: handled.length === 0 };
      });
    } catch (e) {
      if (!isGoneNetwork(e)) throw e;
    }
  }
  return count;
}

// The network was deleted since we listed it (its leases went with it).
function isGoneNetwork(e: unknown): boolean {
  return (e as { status?: number })?.status === 404;
}
