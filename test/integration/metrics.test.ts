import { expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { databaseMetrics } from '../../lib/server/metrics/database-metrics';
import { runWorkerRound } from '../../lib/server/delivery/worker';
import { useTestDb } from './db';
import { change, networkWithHosts, useFleetProject } from './push-helpers';

// The database figures of /metrics (lib/server/metrics/database-metrics.ts) on their own.

const t = useTestDb();
const s = useFleetProject(t, 'metrics');

async function figures(network: string) {
  const registry = await databaseMetrics(t.db, { postgres: true });
  const get = async (name: string, labels: Record<string, string>) => {
    const metric = await registry.getSingleMetric(name)!.get();
    return metric.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
  };
  return {
    applied: await get('meshplane_hosts', { network, state: 'applied' }),
    behind: await get('meshplane_hosts', { network, state: 'behind' }),
    failed: await get('meshplane_hosts', { network, state: 'failed' }),
    oldest: await get('meshplane_oldest_unapplied_change_seconds', { network }),
    connected: await get('meshplane_agents_connected', { network }),
    offline: await get('meshplane_hosts_offline', { network }),
  };
}

it('counts hosts by state, and times the oldest unapplied change from when it was raised', async () => {
  const net = await networkWithHosts(t.db, s.owner, s.projectId, 3, s.fleet);
  const fresh = await figures(net.networkId);
  expect(fresh).toMatchObject({ applied: 0, behind: 3, failed: 0, connected: 0, offline: 3 });
  expect(fresh.oldest).toBeGreaterThanOrEqual(0);
  expect(fresh.oldest).toBeLessThan(30); // since they enrolled, moments ago

  await runWorkerRound(t.db, { networkId: net.networkId });
  expect(await figures(net.networkId)).toEqual({ applied: 3, behind: 0, failed: 0, oldest: 0, connected: 0, offline: 3 });

  // Hosts enrolled an hour ago; a change ten minutes ago that none has applied: every host
  // is behind by ten minutes.
  await t.db.execute(sql`update enrollment_tokens set used_at = now() - interval '1 hour'
    where peer_id in (select id from peers where network_id = ${net.networkId})`);
  await change(s.owner, net.networkId);
  await t.db.execute(sql`update network_versions set raised_at = now() - interval '10 minutes'
    where network_id = ${net.networkId} and version = (select config_version from networks where id = ${net.networkId})`);
  const late = await figures(net.networkId);
  expect(late).toMatchObject({ applied: 0, behind: 3, failed: 0 });
  expect(late.oldest).toBeGreaterThan(599);
  expect(late.oldest).toBeLessThan(660);

  await runWorkerRound(t.db, { networkId: net.networkId });
  expect(await figures(net.networkId)).toEqual({ applied: 3, behind: 0, failed: 0, oldest: 0, connected: 0, offline: 3 });
});

it('counts the agents connected over their channel and the hosts offline', async () => {
  const net = await networkWithHosts(t.db, s.owner, s.projectId, 3, s.fleet);
  const [a, b] = net.peerIds;
  await t.db.execute(sql`update peers set last_seen_at = now() - interval '5 seconds' where id = ${a}`);
  await t.db.execute(sql`update peers set last_seen_at = now() - interval '5 minutes' where id = ${b}`);
  expect(await figures(net.networkId)).toMatchObject({ connected: 1, offline: 2 });
});
