/**
 * "Push now" (POST /api/v1/networks/{pn}/push, pushNowOp) on a network with one host connected
 * over its channel and one reached only directly: the round pushes to the direct host only; the
 * connected host, though it has an agentUrl too, is left to its channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { peers } from '../../lib/server/db/schema';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp } from '../../lib/server/members/operations';
import { createEnrollmentTokenOp } from '../../lib/server/delivery/operations';
import { enrollHost } from '../../lib/server/peers/enrollment';
import { createApiToken } from '../../lib/server/tokens/api-tokens';
import pushRoute from '../../pages/api/v1/networks/[networkId]/push/index';
import type { Channel } from '../../agent/channel';
import { useTestDb } from './db';
import { change, randomKey, useFleetProject, versionOf } from './push-helpers';
import { allApplied } from './wake-support';
import { channelServer } from './channel-server';
import { apiRoutesServer } from './api-routes-server';
import { configBus } from '../../lib/server/delivery/config-channel';

const t = useTestDb();
const s = useFleetProject(t, 'push now');
let agents: Awaited<ReturnType<typeof channelServer>>;
let api: Awaited<ReturnType<typeof apiRoutesServer>>;
let channel: Channel | undefined;
beforeAll(async () => {
  agents = await channelServer();
  api = await apiRoutesServer({ '/api/v1/networks/[networkId]/push': pushRoute });
});
afterAll(async () => {
  await channel?.close();
  await api?.stop();
  await agents?.stop();
});

describe('POST /api/v1/networks/{pn}/push', () => {
  it('pushes only to the direct-only host, not to the one connected over its channel', async () => {
    const network = await createNetworkOp.execute(s.owner, { projectId: s.projectId, label: 'push-now' });
    const member = await createMemberOp.execute(s.owner, { networkId: network.id, kind: 'external', label: 'box', instances: 2 });
    const [chan, direct] = member.peers.map((p) => p.id);
    const hostTokens: string[] = [];
    for (const [i, peerId] of [chan, direct].entries()) {
      const { token } = await createEnrollmentTokenOp.execute(s.owner, { peerId });
      // Both have an agentUrl: only the channel tells them apart.
      const enrolled = await enrollHost(t.db, { token, publicKey: randomKey(), endpoint: `198.51.100.${20 + i}:51820`, agentUrl: s.fleet.add(peerId) }, null);
      hostTokens.push(enrolled.hostToken);
    }
    channel = s.fleet.connect(chan, agents.url, hostTokens[0]);
    await allApplied(s.fleet, [chan], await versionOf(t.db, network.id), 5000);
    const v1 = await versionOf(t.db, network.id);
    await expect.poll(async () => (await t.db.select().from(peers).where(eq(peers.id, chan)))[0].appliedVersion).toBe(v1);
    // A change: both hosts are behind it. No listener runs here, so the channel's held poll is
    // not woken (the server's LISTEN would): only the button could deliver it now.
    await change(s.owner, network.id);
    const v = await versionOf(t.db, network.id);
    expect(s.fleet.get(chan).hits).toBe(0);
    expect(s.fleet.get(direct).hits).toBe(0); // nothing runs rounds here but the button

    const { token } = await createApiToken(t.db, s.owner.userId, 'push now');
    const res = await fetch(`${api.url}/api/v1/networks/${network.id}/push`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ claimed: 1, applied: 1, failed: 0, configVersion: v });
    expect(s.fleet.get(direct).hits).toBe(1);
    expect(s.fleet.get(direct).applied).toEqual([v]);
    expect(s.fleet.get(chan).hits).toBe(0); // never pushed directly
    const row = async (id: string) => (await t.db.select().from(peers).where(eq(peers.id, id)))[0];
    expect(await row(direct)).toMatchObject({ appliedVersion: v, pushState: 'applied' });
    expect((await row(chan)).appliedVersion).toBe(v1); // left to its channel
    // The server's listener would now wake the held poll (lib/server/delivery/wake.ts): the change arrives over the channel.
    configBus.emit('change', network.id);
    await allApplied(s.fleet, [chan], v, 10_000);
    await expect.poll(async () => (await row(chan)).appliedVersion, { timeout: 10_000 }).toBe(v);

    // A second press: nothing is due, nothing is pushed.
    const again = await fetch(`${api.url}/api/v1/networks/${network.id}/push`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(await again.json()).toMatchObject({ claimed: 0 });
    expect(s.fleet.get(direct).hits).toBe(1);
    expect(s.fleet.get(chan).hits).toBe(0);
    // Without a token, refused.
    expect((await fetch(`${api.url}/api/v1/networks/${network.id}/push`, { method: 'POST' })).status).toBe(401);
  });
});
