import { describe, expect, it } from 'vitest';
import { listPeers } from '../../lib/server/peers/peers';
import { runWorkerRound } from '../../lib/server/delivery/worker';
import { useTestDb } from './db';
import { change, networkWithHosts, useFleetProject } from './push-helpers';

/*
 * The agent's health and last self-repair, as sent in its answers, recorded by the worker on
 * the host's row and shown by the peers read (the peer page's "repaired 2 min ago: …").
 */

const t = useTestDb();
const s = useFleetProject(t, 'agent-health');

const peerOf = async (networkId: string, id: string) => (await listPeers(t.db, networkId)).items.find((p) => p.id === id)!;

describe('agent health from answers', () => {
  it('records the health reason and the last repair, keeps the repair when later answers have none newer', async () => {
    const net = await networkWithHosts(t.db, s.owner, s.projectId, 2, s.fleet);
    const [sick, well] = net.peerIds;
    s.fleet.get(sick).health = {
      ok: false, reason: 'last apply failed: nft: syntax error', drift: [],
      lastRepair: { at: '2030-01-01T11:58:00.000Z', found: ['interface was missing'], ok: true },
    };
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ applied: 2 });
    expect(await peerOf(net.networkId, sick)).toMatchObject({
      agentOk: false, agentHealth: 'last apply failed: nft: syntax error', lastRepairAt: '2030-01-01T11:58:00.000Z', lastRepair: 'interface was missing',
    });
    expect(await peerOf(net.networkId, well)).toMatchObject({ agentOk: null, agentHealth: null, lastRepair: null }); // an agent that sends none

    s.fleet.get(sick).health = { ok: true, drift: [], lastRepair: null };
    await change(s.owner, net.networkId);
    await runWorkerRound(t.db, { networkId: net.networkId });
    expect(await peerOf(net.networkId, sick)).toMatchObject({ agentOk: true, agentHealth: null, lastRepair: 'interface was missing' });

    s.fleet.get(sick).health = { ok: false, reason: 'differs from the applied config: interface was missing', drift: ['interface was missing'],
      lastRepair: { at: '2030-01-01T12:30:00.000Z', found: ['interface was missing'], ok: false } };
    await change(s.owner, net.networkId);
    await runWorkerRound(t.db, { networkId: net.networkId });
    expect(await peerOf(net.networkId, sick)).toMatchObject({ agentOk: false, lastRepairAt: '2030-01-01T12:30:00.000Z', lastRepair: 'could not repair: interface was missing' });
  });
});
