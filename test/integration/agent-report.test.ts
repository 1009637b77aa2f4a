import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../lib/server/auth/gate';
import { createProjectOp } from '../../lib/server/projects/operations';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp } from '../../lib/server/members/operations';
import { createEnrollmentTokenOp } from '../../lib/server/delivery/operations';
import { enrollHost } from '../../lib/server/peers/enrollment';
import { createDeviceOp, listDevicesOp } from '../../lib/server/devices/operations';
import { listPeers } from '../../lib/server/peers/peers';
import { agentHealthView } from '../../lib/core/peers/agent-health';
import { deviceLiveness } from '../../lib/core/devices/liveness';
import { generateKeyPair } from '../../lib/core/wireguard/keys';
import type { AgentHealth } from '../../lib/core/protocol/messages';
import { startReporter, type PeerStats, type Reporter } from '../../agent/report';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { randomKey } from './push-helpers';
import { channelServer } from './channel-server';

/*
 * Issue 15 item 1 and issue 16 item 5 for a host with no push port: the agent's reporter
 * (agent/report.ts) POSTs its health, last repair and handshakes over the channel's report
 * route, with no document and no push, and the host's page and the devices' liveness read
 * them as they read a push's answer.
 */

const t = useTestDb();
let owner: Principal;
let server: Awaited<ReturnType<typeof channelServer>>;
const reporters: Reporter[] = [];

beforeAll(async () => {
  owner = principalOf(await makeUser(t.db));
  server = await channelServer();
});
afterAll(async () => {
  for (const r of reporters) await r.close();
  await server?.stop();
});

async function channelOnlyHost() {
  const project = await createProjectOp.execute(owner, { name: 'reports' });
  const network = await createNetworkOp.execute(owner, { projectId: project.id, label: 'reports' });
  const member = await createMemberOp.execute(owner, { networkId: network.id, kind: 'external', label: 'box', instances: 1 });
  const peerId = member.peers[0].id;
  const { token } = await createEnrollmentTokenOp.execute(owner, { peerId });
  const { hostToken } = await enrollHost(t.db, { token, publicKey: randomKey(), endpoint: '198.51.100.9:51820' }, null);
  return { networkId: network.id, peerId, hostToken };
}

const until = async (what: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('agent reports over the channel', () => {
  it('records health, the last repair and handshakes of a channel-only host, with no push', async () => {
    const host = await channelOnlyHost();
    const laptop = generateKeyPair().publicKey;
    await createDeviceOp.execute(owner, { name: 'laptop', publicKey: laptop });
    const repairedAt = new Date(Date.now() - 120_000).toISOString();
    let health: AgentHealth = { ok: true, drift: [], lastRepair: null };
    let stats: PeerStats = { totals: { latestHandshake: null, rxBytes: 0, txBytes: 0 }, peers: [] };
    const reporter = startReporter({
      server: server.url, hostToken: host.hostToken, health: () => health, stats: async () => stats,
      healthEveryMs: 50, handshakesEveryMs: 100,
    });
    reporters.push(reporter);
    const peer = async () => (await listPeers(t.db, host.networkId)).items.find((p) => p.id === host.peerId)!;
    await until(async () => (await peer()).agentOk === true);

    // The interface vanished and was rebuilt: the page says so within a look.
    health = { ok: true, drift: [], lastRepair: { at: repairedAt, found: ['interface was missing'], ok: true } };
    reporter.poke();
    await until(async () => (await peer()).lastRepair !== null);
    expect(agentHealthView(await peer(), new Date()).repair?.text).toBe('repaired 2 min ago: interface was missing');

    health = { ok: false, reason: 'differs from the applied config: interface was missing', drift: ['interface was missing'], lastRepair: health.lastRepair };
    await until(async () => (await peer()).agentOk === false);
    expect((await peer()).agentHealth).toBe('differs from the applied config: interface was missing');

    // A handshake with a device: the device reads "connected", the host its last handshake.
    const at = new Date(Date.now() - 10_000).toISOString();
    stats = { totals: { latestHandshake: at, rxBytes: 100, txBytes: 200 }, peers: [{ publicKey: laptop, latestHandshake: at }] };
    await until(async () => (await listDevicesOp.execute(owner, {})).items.some((d) => d.lastHandshakeAt !== null));
    const device = (await listDevicesOp.execute(owner, {})).items.find((d) => d.name === 'laptop')!;
    expect(device.lastHandshakeAt?.toISOString()).toBe(at);
    expect(deviceLiveness(device.lastHandshakeAt).state).toBe('connected');
    expect(new Date((await peer()).lastHandshakeAt as unknown as string).toISOString()).toBe(at);

    // Nothing changed: nothing more is sent.
    const sent = reporter.sent();
    await new Promise((r) => setTimeout(r, 400));
    expect(reporter.sent()).toBe(sent);
  });

  it('refuses a report without a valid host token, and a health that is not one', async () => {
    const host = await channelOnlyHost();
    const post = (auth: string, body: unknown) => fetch(`${server.url}/api/agent/v1/report`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await post('Bearer mph_nope', { health: { ok: true, drift: [], lastRepair: null } })).status).toBe(401);
    const bad = await post(`Bearer ${host.hostToken}`, { health: { ok: 'yes' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field?: string } }).error.field).toBe('health');
    expect((await post(`Bearer ${host.hostToken}`, { totals: { latestHandshake: 'yesterday' } })).status).toBe(400);
  });
});
