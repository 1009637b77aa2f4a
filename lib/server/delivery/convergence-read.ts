import { sql } from 'drizzle-orm';
import { rows, type Queryable } from '../db/client';
import { notFound } from '../errors';
import { type Convergence, type BehindHost, summarizeConvergence } from '../../core/delivery/convergence';
import { onlineWindowMs } from '../../core/delivery/liveness';

/** At most this many hosts behind are read and flagged: the page shows the first few, the counts are exact. */
const behindLimit = 50;

type Totals = { version: string | number; raised_at: string | Date | null; total: string | number; applied: string | number; last_applied_at: string | Date | null };
type BehindRow = {
  id: string; member_label: string; process: string; number: number; applied_version: string | number; online: boolean; direct: boolean;
  push_state: string; last_error: string | null; agent_ok: boolean | null; agent_health: string | null;
};

const date = (v: string | Date | null) => (v === null ? null : new Date(v));

/** How far the network's current version has got among its enrolled hosts (two indexed reads). */
export async function networkConvergence(db: Queryable, networkId: string, now = new Date()): Promise<Convergence> {
  const [t] = await rows<Totals>(db, sql`
    select n.config_version as version,
      (select v.raised_at from network_versions v where v.network_id = n.id and v.version = n.config_version) as raised_at,
      count(p.id) as total,
      count(p.id) filter (where p.applied_version >= n.config_version) as applied,
      max(p.applied_at) filter (where p.applied_version >= n.config_version) as last_applied_at
    from networks n left join peers p on p.network_id = n.id and p.host_token_hash is not null
    where n.id = ${networkId} group by n.id`);
  if (!t) throw notFound('Network');
  const version = Number(t.version);
  const behind = await rows<BehindRow>(db, sql`
    select p.id, m.label as member_label, p.process, p.number, p.applied_version,
      coalesce(p.last_seen_at > ${now.toISOString()}::timestamptz - make_interval(secs => ${onlineWindowMs / 1000}), false) as online,
      p.agent_url is not null as direct, p.push_state, p.last_error, p.agent_ok, p.agent_health
    from peers p join members m on m.id = p.member_id
    where p.network_id = ${networkId} and p.host_token_hash is not null and p.applied_version < ${version}
    order by p.applied_version, p.ip limit ${behindLimit}`);
  return summarizeConvergence({
    version, raisedAt: date(t.raised_at), total: Number(t.total), applied: Number(t.applied), lastAppliedAt: date(t.last_applied_at),
    behind: behind.map((r): BehindHost => ({
      peerId: r.id, name: `${r.member_label} ${r.process ? `${r.process} ` : ''}#${r.number}`, appliedVersion: Number(r.applied_version),
      online: r.online, direct: r.direct, pushState: r.push_state, lastError: r.last_error, agentOk: r.agent_ok, agentHealth: r.agent_health,
    })),
  }, now);
}
