import ipaddr from 'ipaddr.js';
import type { Queryable } from '../db/client';
import type { Allow } from '../../core/protocol/network-state';
import { ruleCidrs } from './rules';
import { activeLeases } from './leases';

/**
 * The part of a network's config that says who may reach its WireGuard port (besides the
 * other hosts, which the protocol adds from their endpoints): every permanent rule and every
 * lease still active at `now`, with its end. An expired or revoked lease is never in it, so a
 * worker that runs late cannot extend access; hosts turn `expiresAt` into an nft timeout.
 */
export async function allowListOf(db: Queryable, networkId: string, now: Date): Promise<Allow> {
  const [rules, leases] = await Promise.all([ruleCidrs(db, networkId), activeLeases(db, networkId, now)]);
  return {
    rules,
    leases: leases.map((l) => ({ ip: l.ip, expiresAt: l.expiresAt.toISOString() })),
  };
}

export type Coverage =
  | { by: 'rule'; cidr: string }
  | { by: 'lease'; leaseId: string; expiresAt: Date }
  | null;

/**
 * Whether hosts would accept WireGuard from `ip`: a lease of exactly that address, else the
 * first rule whose range holds it. A lease wins because it is the one the user can act on.
 */
export function coverageOf(
  ip: string | null,
  rules: { cidr: string }[],
  leases: { id: string; ip: string; expiresAt: Date }[],
): Coverage {
  if (!ip || !ipaddr.isValid(ip)) return null;
  const addr = ipaddr.process(ip);
  const lease = leases.find((l) => ipaddr.isValid(l.ip) && ipaddr.process(l.ip).toString() === addr.toString());
  if (lease) return { by: 'lease', leaseId: lease.id, expiresAt: lease.expiresAt };
  for (const r of rules) {
    try {
      const [range, bits] = ipaddr.parseCIDR(r.cidr);
      if (range.kind() === addr.kind() && addr.match(range, bits)) return { by: 'rule', cidr: r.cidr };
    } catch {
      // Stored rules are validated on the way in; an unreadable one covers nothing.
    }
  }
  return null;
}
