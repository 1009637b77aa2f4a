import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { members, networks, peers } from '../db/schema';
import { notFound } from '../errors';
import { env } from '../env';
import { memberGroupNames, memberNames, type MemberKind } from '../dns/names';
import { instanceProcess } from '../members/members';

const peerColumns = {
  id: peers.id, networkId: peers.networkId, memberId: peers.memberId, memberLabel: members.label, kind: members.kind,
  process: peers.process, number: peers.number, ip: peers.ip, publicKey: peers.publicKey, endpoint: peers.endpoint,
  agentUrl: peers.agentUrl, isGateway: peers.isGateway, desiredVersion: networks.configVersion, appliedVersion: peers.appliedVersion,
  pushState: peers.pushState, attempts: peers.attempts, lastError: peers.lastError, lastHandshakeAt: peers.lastHandshakeAt,
  lastPushedAt: peers.lastPushedAt, rxBytes: peers.rxBytes, txBytes: peers.txBytes, createdAt: peers.createdAt,
};

type PeerRow = Awaited<ReturnType<typeof peerQuery>>[number];

export function presentPeer(row: PeerRow) {
  const zone = env().MESHPLANE_DNS_ZONE;
  const process = row.kind === 'application' ? row.process : null;
  const { agentUrl, ...rest } = row;
  return {
    ...rest,
    process,
    enrolled: !!agentUrl,
    names: memberNames({ zone, networkId: row.networkId, memberId: row.memberId, kind: row.kind as MemberKind, process, number: row.number }),
  };
}
export type PresentedPeer = ReturnType<typeof presentPeer>;

/** The instance's own DNS name as SQL, so the server can search names without computing all of them. */
function instanceNameSql(): SQL<string> {
  return sql<string>`${peers.number}::text || '.' || case when ${members.kind} = 'application' then ${peers.process} || '.' else '' end || ${members.id} || '.' || ${networks.id} || '.' || ${env().MESHPLANE_DNS_ZONE}`;
}

function peerQuery(db: Db) {
  return db.select(peerColumns).from(peers).innerJoin(members, eq(members.id, peers.memberId)).innerJoin(networks, eq(networks.id, peers.networkId));
}

export type PeerFilter = { q?: string; memberId?: string; limit?: number; after?: string };

/** A network's peers in address order; `q` matches an address prefix, a name or a member label. */
export async function listPeers(db: Db, networkId: string, filter: PeerFilter = {}) {
  const q = filter.q?.trim().toLowerCase();
  const like = q ? `%${q.replace(/[%_\\]/g, '\\$&')}%` : undefined;
  const list = await peerQuery(db)
    .where(and(
      eq(peers.networkId, networkId),
      filter.memberId ? eq(peers.memberId, filter.memberId) : undefined,
      like ? sql`(host(${peers.ip}) like ${q + '%'} or ${instanceNameSql()} like ${like} or lower(${members.label}) like ${like})` : undefined,
      filter.after ? sql`${peers.ip} > ${filter.after}::inet` : undefined,
    ))
    .orderBy(asc(peers.ip))
    .limit(filter.limit ? filter.limit + 1 : 100_000);
  const page = filter.limit ? list.slice(0, filter.limit) : list;
  const nextAfter = filter.limit && list.length > filter.limit ? page[page.length - 1].ip : null;
  return { items: page.map(presentPeer), nextAfter };
}

export async function getPeer(db: Db, peerId: string) {
  const [row] = await peerQuery(db).where(eq(peers.id, peerId));
  if (!row) throw notFound('Peer');
  return presentPeer(row);
}

/** Every name of a member with its addresses: group names first, then each instance. */
export async function memberDomainNames(db: Db, memberId: string) {
  const [member] = await db.select().from(members).where(eq(members.id, memberId));
  if (!member) throw notFound('Member');
  const zone = env().MESHPLANE_DNS_ZONE;
  const list = await db.select({ process: peers.process, number: peers.number, ip: peers.ip }).from(peers)
    .where(eq(peers.memberId, memberId)).orderBy(asc(peers.process), asc(peers.number));
  const names = new Map<string, string[]>();
  const groups = memberGroupNames({ zone, networkId: member.networkId, memberId, kind: member.kind, processes: list.map((p) => p.process) });
  for (const g of groups) names.set(g, []);
  for (const p of list) {
    for (const name of memberNames({ zone, networkId: member.networkId, memberId, kind: member.kind, process: p.process === instanceProcess ? null : p.process, number: p.number })) {
      names.set(name, [...(names.get(name) ?? []), p.ip]);
    }
  }
  return [...names.entries()].map(([name, addresses]) => ({ name, addresses }));
}
