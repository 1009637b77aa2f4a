import { sql } from 'drizzle-orm';
import { Gauge, Registry } from 'prom-client';
import { rows, type Db } from '../db/client';
import { onlineWindowMs } from '../../core/delivery/liveness';

/*
 * Figures read from the database at scrape time: the same whichever process answers, so
 * they are right with any number of processes or replicas. Liveness is its own pair of
 * gauges rather than a fourth state: an offline host is also applied, behind or failed.
 */

type HostRow = { network_id: string; project_id: string; state: string; hosts: string | number };
type AgeRow = { network_id: string; project_id: string; seconds: string | number | null };
type LeaseRow = { network_id: string; project_id: string; leases: string | number };
type ConnRow = { state: string | null; connections: string | number };
type LiveRow = { network_id: string; project_id: string; connected: string | number; offline: string | number };

const hostStates = ['applied', 'behind', 'failed'] as const;

export async function databaseMetrics(db: Db, opts: { postgres: boolean }): Promise<Registry> {
  const registry = new Registry();
  const hosts = new Gauge({ name: 'meshplane_hosts', help: 'Enrolled hosts per network by state: applied (runs the current version), behind (a push is due or under way), failed (the agent refused the last push).', labelNames: ['project', 'network', 'state'] as const, registers: [registry] });
  const oldest = new Gauge({ name: 'meshplane_oldest_unapplied_change_seconds', help: 'Per network, how long the longest-behind enrolled host has been waiting for a config change (0 when every host runs the current version).', labelNames: ['project', 'network'] as const, registers: [registry] });
  const leases = new Gauge({ name: 'meshplane_leases_active', help: 'Firewall leases (Lease Now) neither expired nor revoked, per network.', labelNames: ['project', 'network'] as const, registers: [registry] });
  const connected = new Gauge({ name: 'meshplane_agents_connected', help: `Enrolled hosts whose agent called its channel within the last ${onlineWindowMs / 1000} s, per network.`, labelNames: ['project', 'network'] as const, registers: [registry] });
  const offline = new Gauge({ name: 'meshplane_hosts_offline', help: `Enrolled hosts whose agent has not called its channel for ${onlineWindowMs / 1000} s (or never), per network.`, labelNames: ['project', 'network'] as const, registers: [registry] });
  const connections = new Gauge({ name: 'meshplane_db_connections', help: "The server processes' open PostgreSQL connections by state (pg_stat_activity; the embedded database counts as one).", labelNames: ['state'] as const, registers: [registry] });

  const [hostRows, ageRows, leaseRows, liveRows] = await Promise.all([
    rows<HostRow>(db, sql`
      select n.id as network_id, n.project_id,
        case when p.applied_version >= n.config_version then 'applied' when p.push_state = 'failed' then 'failed' else 'behind' end as state,
        count(p.id) as hosts
      from networks n join peers p on p.network_id = n.id and p.host_token_hash is not null
      group by 1, 2, 3`),
    // A host is behind since the first version above the one it runs was raised, or since
    // it enrolled if that is later (a new host "lacks" every version before it joined).
    rows<AgeRow>(db, sql`
      with behind as (
        select p.id, p.network_id, p.applied_version from peers p join networks n on n.id = p.network_id
        where p.host_token_hash is not null and p.applied_version < n.config_version
      ), enrolled as (
        select t.peer_id, max(t.used_at) as at from enrollment_tokens t join behind b on b.id = t.peer_id group by 1
      )
      select n.id as network_id, n.project_id, extract(epoch from now() - min(greatest(
        (select v.raised_at from network_versions v where v.network_id = b.network_id and v.version > b.applied_version order by v.version limit 1),
        e.at))) as seconds
      from networks n left join behind b on b.network_id = n.id left join enrolled e on e.peer_id = b.id
      group by 1, 2`),
    rows<LeaseRow>(db, sql`
      select n.id as network_id, n.project_id, count(l.id) as leases
      from networks n left join leases l on l.network_id = n.id and l.revoked_at is null and l.expires_at > now()
      group by 1, 2`),
    rows<LiveRow>(db, sql`
      select n.id as network_id, n.project_id,
        count(p.id) filter (where p.last_seen_at > now() - make_interval(secs => ${onlineWindowMs / 1000})) as connected,
        count(p.id) filter (where p.last_seen_at is null or p.last_seen_at <= now() - make_interval(secs => ${onlineWindowMs / 1000})) as offline
      from networks n left join peers p on p.network_id = n.id and p.host_token_hash is not null
      group by 1, 2`),
  ]);
  const seen = new Set<string>();
  for (const r of hostRows) {
    hosts.set({ project: r.project_id, network: r.network_id, state: r.state }, Number(r.hosts));
    seen.add(`${r.network_id} ${r.state}`);
  }
  for (const r of ageRows) {
    oldest.set({ project: r.project_id, network: r.network_id }, Math.max(0, Number(r.seconds ?? 0)));
    // Every state of every network, zeros included, so an alert's series never vanishes.
    for (const state of hostStates) if (!seen.has(`${r.network_id} ${state}`)) hosts.set({ project: r.project_id, network: r.network_id, state }, 0);
  }
  for (const r of leaseRows) leases.set({ project: r.project_id, network: r.network_id }, Number(r.leases));
  for (const r of liveRows) {
    connected.set({ project: r.project_id, network: r.network_id }, Number(r.connected));
    offline.set({ project: r.project_id, network: r.network_id }, Number(r.offline));
  }

  if (opts.postgres) {
    const conns = await rows<ConnRow>(db, sql`
      select coalesce(state, 'unknown') as state, count(*) as connections from pg_stat_activity
      where datname = current_database() and application_name = 'meshplane' group by 1`);
    for (const state of ['active', 'idle', 'idle in transaction']) connections.set({ state }, 0);
    for (const r of conns) connections.set({ state: r.state ?? 'unknown' }, Number(r.connections));
  } else {
    connections.set({ state: 'active' }, 1);
  }
  return registry;
}
