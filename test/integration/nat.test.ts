/**
 * Hosts behind NAT (issue 13, item 7), against a real database: a host that joins without an
 * endpoint is recorded at the address it came from; each channel poll keeps that address
 * current, raising the network's version only when it moved (a reconnect from the same place
 * raises nothing); the document carries it as `seenFrom`, so the gateway admits it.
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { peers } from '../../lib/server/db/schema';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp } from '../../lib/server/members/operations';
import { createJoinKeyOp } from '../../lib/server/join-keys/operations';
import { joinHost } from '../../lib/server/join-keys/join';
import { nextEnvelope } from '../../lib/server/delivery/channel';
import { peerReach } from '../../lib/server/peers/reach';
import { deriveHostConfig } from '../../lib/core/protocol/host-config';
import { useTestDb } from './db';
import { currentState, randomKey, useFleetProject, versionOf } from './push-helpers';

const t = useTestDb();
const s = useFleetProject(t, 'nat');

const seenFrom = async (peerId: string) =>
  (await t.db.select({ v: sql<string | null>`host(${peers.seenFrom})` }).from(peers).where(eq(peers.id, peerId)))[0].v;

describe('hosts behind NAT', () => {
  it('records where a host without an endpoint comes from, and bumps the version only when that moves', async () => {
    const network = await createNetworkOp.execute(s.owner, { projectId: s.projectId, label: 'nat' });
    const member = await createMemberOp.execute(s.owner, { networkId: network.id, kind: 'external', label: 'box', instances: 1 });
    const { key } = await createJoinKeyOp.execute(s.owner, { memberId: member.id, autoscale: true });
    const gw = await joinHost(t.db, { key, publicKey: randomKey(), endpoint: '198.51.100.1:51820' }, '198.51.100.1');
    const a = await joinHost(t.db, { key, publicKey: randomKey() }, '192.0.2.10');
    const b = await joinHost(t.db, { key, publicKey: randomKey() }, null);
    expect([await seenFrom(gw.peerId), await seenFrom(a.peerId), await seenFrom(b.peerId)]).toEqual([null, '192.0.2.10', null]);

    const poll = async (hostToken: string, from: string | null) => {
      const v = await versionOf(t.db, network.id);
      const res = await nextEnvelope(t.db, `Bearer ${hostToken}`, String(v), { holdMs: 0, from });
      expect([200, 204]).toContain(res.status);
      return (await versionOf(t.db, network.id)) - v;
    };
    expect(await poll(a.hostToken, '192.0.2.10')).toBe(0); // the same address: nothing changes
    expect(await poll(b.hostToken, '192.0.2.20')).toBe(1);
    expect(await poll(b.hostToken, '192.0.2.20')).toBe(0);
    expect(await poll(a.hostToken, '192.0.2.11')).toBe(1); // its NAT's address moved
    expect(await poll(a.hostToken, null)).toBe(0);
    expect(await poll(gw.hostToken, '203.0.113.5')).toBe(0); // a host with an endpoint is not followed
    expect(await seenFrom(gw.peerId)).toBeNull();

    const state = await currentState(t.db, network.id);
    const entry = (id: string) => state.hosts.find((h) => h.peerId === id)!;
    expect([entry(gw.peerId).seenFrom, entry(a.peerId).seenFrom, entry(b.peerId).seenFrom]).toEqual([undefined, '192.0.2.11', '192.0.2.20']);
    expect(entry(gw.peerId).gateway).toBe(true);
    expect(deriveHostConfig(state, gw.peerId, new Date()).firewall.sources).toEqual(expect.arrayContaining(['192.0.2.11/32', '192.0.2.20/32']));
    // a reaches b only through the gateway; the page's answer is the configs' rule.
    const reach = await peerReach(t.db, a.peerId);
    expect(reach.direct.map((h) => h.ip)).toEqual([gw.ip]);
    expect(reach.viaGateway.map((h) => h.ip)).toEqual([b.ip]);
    expect(reach.unreachable).toEqual([]);
    expect(deriveHostConfig(state, a.peerId, new Date()).peers).toEqual([
      { publicKey: entry(gw.peerId).publicKey, endpoint: '198.51.100.1:51820', allowedIps: [`${gw.ip}/32`, state.deviceBlock, `${b.ip}/32`], persistentKeepalive: 25 },
    ]);
  });
});
