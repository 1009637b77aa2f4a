import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { enrol } from './push-helpers';
import { peers } from '../../lib/server/db/schema';
import { createProjectOp } from '../../lib/server/projects/operations';
import { createNetworkOp, updateNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp, scaleMemberOp } from '../../lib/server/members/operations';
import { createDeviceOp, deviceConfigOp, listDevicesOp, markConfigGivenOp } from '../../lib/server/devices/operations';
import { updatePeerOp } from '../../lib/server/peers/operations';
import { generateKeyPair } from '../../lib/core/wireguard/keys';

// Issue 16 item 1 and 3: a network chooses a gateway itself, so devices' configs survive hosts
// coming and going; a config that reaches nothing says so, per network, with what to do.

const t = useTestDb();
const key = () => generateKeyPair().publicKey;
const agentUrl = 'http://198.51.100.3:51821';

async function world() {
  const owner = principalOf(await makeUser(t.db));
  const project = await createProjectOp.execute(owner, { name: `gw ${randomInt(1e9)}` });
  const network = await createNetworkOp.execute(owner, { projectId: project.id, label: `net-${randomInt(1e9)}` });
  return { owner, project, network };
}

const gatewayOf = async (networkId: string) =>
  (await t.db.select({ id: peers.id, isGateway: peers.isGateway }).from(peers).where(eq(peers.networkId, networkId))).filter((p) => p.isGateway).map((p) => p.id);

describe('a network’s gateway, chosen automatically', () => {
  it('three devices, then a host added and enrolled: none is stale, because the first host became the gateway', async () => {
    const w = await world();
    const first = await createMemberOp.execute(w.owner, { networkId: w.network.id, kind: 'application', label: 'api', processes: { web: 1 } });
    await enrol(t.db, w.owner, first.peers[0].id, agentUrl, 1);
    expect(await gatewayOf(w.network.id)).toEqual([first.peers[0].id]);
    const made = [];
    for (const name of ['laptop', 'phone', 'tablet']) made.push(await createDeviceOp.execute(w.owner, { name, publicKey: key() }));
    expect(made[0].peers).toEqual([expect.objectContaining({ allowedIps: [w.network.cidr] })]);
    expect(made[0].networks).toEqual([{ networkId: w.network.id, networkLabel: w.network.label, reachable: true, reason: null }]);

    const more = await createMemberOp.execute(w.owner, { networkId: w.network.id, kind: 'addon', label: 'db' });
    await enrol(t.db, w.owner, more.peers[0].id, agentUrl, 2);
    expect(await gatewayOf(w.network.id)).toEqual([first.peers[0].id]); // the gateway stays
    const { items } = await listDevicesOp.execute(w.owner, {});
    expect(items.map((d) => [d.name, d.stale])).toEqual([['laptop', false], ['phone', false], ['tablet', false]]);
  });

  it('takes another host when the gateway goes, and the device card says precisely what changed', async () => {
    const w = await world();
    const app = await createMemberOp.execute(w.owner, { networkId: w.network.id, kind: 'application', label: 'api', processes: { web: 2 } });
    await enrol(t.db, w.owner, app.peers[0].id, agentUrl, 1);
    await enrol(t.db, w.owner, app.peers[1].id, agentUrl, 2);
    const device = await createDeviceOp.execute(w.owner, { name: 'laptop', publicKey: key() });
    await updatePeerOp.execute(w.owner, { peerId: app.peers[1].id, gateway: true });
    const before = await deviceConfigOp.execute(w.owner, { deviceId: device.id });
    await markConfigGivenOp.execute(w.owner, { deviceId: device.id, hash: before.hash });
    await scaleMemberOp.execute(w.owner, { memberId: app.id, scale: { web: 1 } });
    expect(await gatewayOf(w.network.id)).toEqual([app.peers[0].id]);
    const now = await deviceConfigOp.execute(w.owner, { deviceId: device.id });
    expect(now.stale).toBe(true);
    expect(now.changes).toEqual([
      'New peer: the gateway of ' + w.network.label + ' at 198.51.100.2:51820.',
      'The gateway of ' + w.network.label + ' is gone (was at 198.51.100.3:51820).',
      `DNS server now ${app.peers[0].ip} (was ${app.peers[1].ip}).`, // the gateway answers DNS
    ]);
  });

  it('chooses nothing when the operator turned automatic choice off, and again when it is turned on', async () => {
    const w = await world();
    expect((await updateNetworkOp.execute(w.owner, { networkId: w.network.id, autoGateway: false })).autoGateway).toBe(false);
    const m = await createMemberOp.execute(w.owner, { networkId: w.network.id, kind: 'addon', label: 'db' });
    await enrol(t.db, w.owner, m.peers[0].id, agentUrl, 1);
    expect(await gatewayOf(w.network.id)).toEqual([]);
    await updateNetworkOp.execute(w.owner, { networkId: w.network.id, autoGateway: 'true' as unknown as boolean });
    expect(await gatewayOf(w.network.id)).toEqual([m.peers[0].id]);
  });

  it('a host run by hand (no agent) is never chosen', async () => {
    const w = await world();
    const m = await createMemberOp.execute(w.owner, { networkId: w.network.id, kind: 'external', label: 'box' });
    await updatePeerOp.execute(w.owner, { peerId: m.peers[0].id, publicKey: key(), endpoint: '203.0.113.7:51820' });
    expect(await gatewayOf(w.network.id)).toEqual([]);
  });
});

describe('a config that reaches nothing', () => {
  it('says so per network, with what the operator must do, until a host enrols', async () => {
    const w = await world();
    const device = await createDeviceOp.execute(w.owner, { name: 'laptop', publicKey: key() });
    expect(device.peers).toEqual([]);
    const [net] = (await deviceConfigOp.execute(w.owner, { deviceId: device.id })).networks;
    expect(net).toMatchObject({ networkId: w.network.id, reachable: false });
    expect(net.reason).toMatch(/No host in .* has enrolled yet.*An admin must enrol a host/);
    expect((await listDevicesOp.execute(w.owner, {})).items[0].networks[0].reachable).toBe(false);

    const m = await createMemberOp.execute(w.owner, { networkId: w.network.id, kind: 'addon', label: 'db' });
    await enrol(t.db, w.owner, m.peers[0].id, agentUrl, 1);
    expect((await deviceConfigOp.execute(w.owner, { deviceId: device.id })).networks[0]).toMatchObject({ reachable: true, reason: null });
  });
});
