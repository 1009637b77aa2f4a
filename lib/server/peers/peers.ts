import { asc, eq, sql, type SQL } from 'drizzle-orm';
import { rows, type Db, type Queryable } from '../db/client';
import { SnapshotCache } from '../db/snapshot-cache';
import { members, peers, type PushState } from '../db/schema';
import { notFound } from '../errors';
import { env } from '../env';
import { memberGroupNames, memberNames, type MemberKind } from '../../core/names';
import { instanceProcess } from '../members/members';
import { onlineWindowMs } from '../../core/delivery/liveness';

/*
 * The peers read is the API's hottest path (hosts and scripts poll it), so it is one raw
 * query presented by hand: drizzle's per-column mapping and object spreads cost more than
 * the query itself. Numbers come out as float8 and times as ISO text, so postgres.js and
 * PGlite give the same rows.
 */
const isoTime = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
const peerSelect = sql`
  select p.id, p.network_id, p.member_id, m.label as member_label, m.kind, p.process, p.number, host(p.ip) as ip,
    p.public_key, p.endpoint, p.host_token_hash is not null as enrolled, p.is_gateway,
    n.config_version::float8 as desired_version, p.applied_version::float8 as applied_version, p.push_state, p.attempts,
    p.last_error, ${isoTime('p.last_handshake_at')} as last_handshake_at, ${isoTime('p.last_pushed_at')} as last_pushed_at,
    p.rx_bytes::float8 as rx_bytes, p.tx_bytes::float8 as tx_bytes, ${isoTime('p.created_at')} as created_at,
    p.agent_ok, p.agent_health, ${isoTime('p.last_repair_at')} as last_repair_at, p.last_repair,
    ${isoTime('p.last_seen_at')} as last_seen_at,
    coalesce(p.last_seen_at > now() - make_interval(secs => ${onlineWindowMs / 1000}), false) as online
  from peers p join members m on m.id = p.member_id join networks n on n.id = p.network_id`;

type PeerRow = {
  id: string; network_id: string; member_id: string; member_label: string; kind: MemberKind; process: string;
  number: number; ip: string; public_key: string | null; endpoint: string | null; enrolled: boolean; is_gateway: boolean;
  desired_version: number; applied_version: number; push_state: PushState; attempts: number; last_error: string | null;
  last_handshake_at: string | null; last_pushed_at: string | null; rx_bytes: number; tx_bytes: number; created_at: string;
  agent_ok: boolean | null; agent_health: string | null; last_repair_at: string | null; last_repair: string | null;
  last_seen_at: string | null; online: boolean;
};

function presentPeer(row: PeerRow, zone: string) {
  const process = row.kind === 'application' ? row.process : null;
  return {
    id: row.id, networkId: row.network_id, memberId: row.member_id, memberLabel: row.member_label, kind: row.kind,
    process, number: row.number, ip: row.ip, publicKey: row.public_key, endpoint: row.endpoint, enrolled: row.enrolled,
    isGateway: row.is_gateway, desiredVersion: row.desired_version, appliedVersion: row.applied_version,
    pushState: row.push_state, attempts: row.attempts, lastError: row.last_error, lastHandshakeAt: row.last_handshake_at,
    lastPushedAt: row.last_pushed_at, rxBytes: row.rx_bytes, txBytes: row.tx_bytes, createdAt: row.created_at,
    // The agent's own health and last self-repair, as of its last answer to a push.
    agentOk: row.agent_ok, agentHealth: row.agent_health, lastRepairAt: row.last_repair_at, lastRepair: row.last_repair,
    // Connected over its channel now (it called within the online window), and its last call.
    online: row.online, lastSeenAt: row.last_seen_at,
    names: memberNames({ zone, networkId: row.network_id, memberId: row.member_id, kind: row.kind, process, number: row.number }),
  };
}
export type PresentedPeer = ReturnType<typeof presentPeer>;

/** The instance's own DNS name as SQL, so the server can search names without computing all of them. */
function instanceNameSql(zone: string): SQL<string> {
  return sql<string>`p.number::text || '.' || case when m.kind = 'application' then p.process || '.' else '' end || m.id || '.' || n.id || '.' || ${zone}`;
}

export type PeerFilter = { q?: string; memberId?: string; limit?: number; after?: string };

/** Pages of peers are polled by hosts, scripts and open dashboards; see SnapshotCache. */
const pageCache = new SnapshotCache<PeerPage>({ maxEntries: 500, maxWeight: 20_000 }); // weight: peers, ~1.5 KB each with their JSON
export type PeerPage = { items: readonly PresentedPeer[]; nextAfter: string | null };

/** A network's peers in address order; `q` matches an address prefix, a name or a member label. */
export function listPeers(db: Queryable, networkId: string, filter: PeerFilter = {}): Promise<PeerPage> {
  const q = filter.q?.trim().toLowerCase() || undefined;
  // `online` depends on the time as well as the data: a page is kept for at most 10 s of it.
  const key = JSON.stringify([networkId, q ?? null, filter.memberId ?? null, filter.limit ?? null, filter.after ?? null, Math.floor(Date.now() / 10_000)]);
  return pageCache.get(db, key, () => readPeers(db, networkId, { ...filter, q }), (page) => page.items.length);
}

async function readPeers(db: Queryable, networkId: string, filter: PeerFilter): Promise<PeerPage> {
  const zone = env().MESHPLANE_DNS_ZONE;
  const like = filter.q ? `%${filter.q.replace(/[%_\\]/g, '\\$&')}%` : undefined;
  const conditions = [
    sql`p.network_id = ${networkId}`,
    filter.memberId ? sql`p.member_id = ${filter.memberId}` : undefined,
    like ? sql`(host(p.ip) like ${filter.q + '%'} or ${instanceNameSql(zone)} like ${like} or lower(m.label) like ${like})` : undefined,
    filter.after ? sql`p.ip > ${filter.after}::inet` : undefined,
  ].filter((c) => c !== undefined);
  const list = await rows<PeerRow>(db, sql`${peerSelect} where ${sql.join(conditions, sql` and `)}
    order by p.ip limit ${filter.limit ? filter.limit + 1 : 100_000}`);
  const page = filter.limit ? list.slice(0, filter.limit) : list;
  const nextAfter = filter.limit && list.length > filter.limit ? page[page.length - 1].ip : null;
  // Cached pages are shared between requests and serialized once (lib/server/http/api.ts): frozen
  // all the way down, so nobody can change one.
  const items = page.map((row) => {
    const peer = presentPeer(row, zone);
    Object.freeze(peer.names);
    return Object.freeze(peer);
  });
  return Object.freeze({ items: Object.freeze(items), nextAfter });
}

export async function getPeer(db: Db, peerId: string) {
  const [row] = await rows<PeerRow>(db, sql`${peerSelect} where p.id = ${peerId}`);
  if (!row) throw notFound('Peer');
  return presentPeer(row, env().MESHPLANE_DNS_ZONE);
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
