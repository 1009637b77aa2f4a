/**
 * Convergence you can see (issue 13, item 6) against the real PostgreSQL: after a change the
 * network's read says "applied by X of Y hosts", X grows to Y as the hosts apply it, the
 * seconds are set once it is complete, and a reachable host still behind after 10 s is
 * flagged with the reason its row gives. The API's GET /networks/{pn}/convergence answers the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { networkConvergence } from '../../lib/server/delivery/convergence-read';
import { convergenceLine } from '../../lib/core/delivery/convergence';
import { runWorkerRound } from '../../lib/server/delivery/worker';
import { createApiToken } from '../../lib/server/tokens/api-tokens';
import convergenceRoute from '../../pages/api/v1/networks/[networkId]/convergence/index';
import { useTestDb } from './db';
import { change, networkWithHosts, useFleetProject, versionOf } from './push-helpers';
import { apiRoutesServer } from './api-routes-server';

const t = useTestDb();
const s = useFleetProject(t, 'convergence');
let api: Awaited<ReturnType<typeof apiRoutesServer>>;
beforeAll(async () => { api = await apiRoutesServer({ '/api/v1/networks/[networkId]/convergence': convergenceRoute }); });
afterAll(async () => { await api?.stop(); });

/** Moves the network's current version's raised_at `ms` into the past (instead of waiting). */
async function raisedAgo(networkId: string, ms: number) {
  await t.db.execute(sql`update network_versions set raised_at = raised_at - make_interval(secs => ${ms / 1000})
    where network_id = ${networkId} and version = (select config_version from networks where id = ${networkId})`);
}

describe('networkConvergence', () => {
  it('applied by X of Y grows to Y; seconds once complete; a host behind after 10 s is flagged with its reason', async () => {
    // Three hosts pushed directly; the last two hang (the worker's timeout fires) until told otherwise.
    const net = await networkWithHosts(t.db, s.owner, s.projectId, 3, s.fleet);
    const [a, b, c] = net.peerIds;
    await runWorkerRound(t.db, { networkId: net.networkId });
    const v1 = await versionOf(t.db, net.networkId);
    expect(await networkConvergence(t.db, net.networkId)).toMatchObject({ version: v1, applied: 3, total: 3, complete: true, lagging: [] });

    await change(s.owner, net.networkId);
    const v = await versionOf(t.db, net.networkId);
    expect(v).toBe(v1 + 1);
    let conv = await networkConvergence(t.db, net.networkId);
    expect(conv).toMatchObject({ version: v, applied: 0, total: 3, complete: false, offline: 0, lagging: [] });
    expect(conv.raisedAt).not.toBeNull();
    expect(convergenceLine(conv)).toMatch(new RegExp(`^version ${v}: applied by 0 of 3 hosts(, [\\d.]+ s so far)?$`));

    s.fleet.get(b).mode = 'hang';
    s.fleet.get(c).mode = 'hang';
    expect(await runWorkerRound(t.db, { networkId: net.networkId, timeoutMs: 1000 })).toMatchObject({ claimed: 3, applied: 1, failed: 2 });
    conv = await networkConvergence(t.db, net.networkId);
    expect(conv).toMatchObject({ applied: 1, total: 3, complete: false, lagging: [] }); // behind, but not for 10 s yet
    expect(convergenceLine(conv)).toContain('applied by 1 of 3 hosts');

    s.fleet.get(b).mode = 'ok';
    expect(await runWorkerRound(t.db, { networkId: net.networkId, timeoutMs: 1000, ignoreBackoff: true })).toMatchObject({ applied: 1, failed: 1 });
    conv = await networkConvergence(t.db, net.networkId);
    expect(conv).toMatchObject({ applied: 2, total: 3, complete: false, lagging: [] });

    // 15 s after the change, c is still behind: flagged, with its row's reason.
    await raisedAgo(net.networkId, 15_000);
    conv = await networkConvergence(t.db, net.networkId);
    expect(conv).toMatchObject({
      applied: 2, total: 3, complete: false, offline: 0,
      lagging: [{ peerId: c, appliedVersion: v1, name: expect.stringMatching(/^app web #\d+$/), reason: expect.stringMatching(/^timed out after 1(\.0)? s$/) }],
    });
    expect(conv.seconds).toBeGreaterThanOrEqual(15);
    expect(convergenceLine(conv)).toMatch(/applied by 2 of 3 hosts, [\d.]+ s so far$/);
    expect(conv.lagging.map((h) => h.peerId)).not.toContain(a);

    // The API says the same, to a token of the project's owner.
    const { token } = await createApiToken(t.db, s.owner.userId, 'convergence');
    const res = await fetch(`${api.url}/api/v1/networks/${net.networkId}/convergence`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: v, applied: 2, total: 3, complete: false, lagging: [{ peerId: c, reason: expect.stringMatching(/^timed out after 1(\.0)? s$/) }] });
    expect((await fetch(`${api.url}/api/v1/networks/${net.networkId}/convergence`)).status).toBe(401);

    // c comes back: 3 of 3, complete, and the seconds are the change's to the last host applying it.
    s.fleet.get(c).mode = 'ok';
    expect(await runWorkerRound(t.db, { networkId: net.networkId, ignoreBackoff: true })).toMatchObject({ applied: 1, failed: 0 });
    conv = await networkConvergence(t.db, net.networkId);
    expect(conv).toMatchObject({ version: v, applied: 3, total: 3, complete: true, offline: 0, lagging: [] });
    expect(conv.seconds).toBeGreaterThanOrEqual(15);
    expect(conv.seconds).toBeLessThan(60);
    expect(convergenceLine(conv)).toBe(`version ${v}: applied by 3 of 3 hosts, in ${conv.seconds} s`);
    // Complete: the seconds stay put as time passes.
    const later = await networkConvergence(t.db, net.networkId, new Date(Date.now() + 120_000));
    expect(later.seconds).toBe(conv.seconds);
  });

  it('a host behind that cannot be reached (no channel, no agentUrl) counts as offline, not lagging', async () => {
    const net = await networkWithHosts(t.db, s.owner, s.projectId, 2, s.fleet);
    await runWorkerRound(t.db, { networkId: net.networkId });
    await t.db.execute(sql`update peers set agent_url = null where id = ${net.peerIds[1]}`);
    await change(s.owner, net.networkId);
    await runWorkerRound(t.db, { networkId: net.networkId });
    await raisedAgo(net.networkId, 30_000);
    const conv = await networkConvergence(t.db, net.networkId);
    expect(conv).toMatchObject({ applied: 1, total: 2, complete: false, offline: 1, lagging: [] });
  });

  it('an unknown network is 404', async () => {
    await expect(networkConvergence(t.db, 'net_doesnotexist0000000000')).rejects.toMatchObject({ status: 404 });
  });
});
