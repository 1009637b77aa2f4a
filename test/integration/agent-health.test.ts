import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../lib/auth/gate';
import { listPeers } from '../../lib/peers/peers';
import { createProjectOp } from '../../lib/projects/operations';
import { getSigningKey } from '../../lib/pushes/signing-key';
import { runWorkerRound } from '../../lib/pushes/worker';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { change, networkWithHosts } from './push-helpers';
import { StubFleet } from './stub-agents';

/*
 * The agent's health and last self-repair, as sent in its answers, recorded by the worker on
 * the host's row and shown by the peers read (the peer page's "repaired 2 min ago: …").
 */

const t = useTestDb();
let owner: Principal;
let projectId: string;
let fleet: StubFleet;

beforeAll(async () => {
  owner = principalOf(await makeUser(t.db));
  projectId = (await createProjectOp.execute(owner, { name: 'agent-health' })).id;
  fleet = await new StubFleet((await getSigningKey(t.db)).publicKeyBase64).start();
});
afterAll(() => fleet.stop());

const peerOf = async (networkId: string, id: string) => (await listPeers(t.db, networkId)).items.find((p) => p.id === id)!;

describe('agent health from answers', () => {
  it('records the health reason and the last repair, keeps the repair when later answers have none newer', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 2, fleet);
    const [sick, well] = net.peerIds;
    fleet.get(sick).health = {
      ok: false, reason: 'last apply failed: nft: syntax error', drift: [],
      lastRepair: { at: '2030-01-01T11:58:00.000Z', found: ['interface was missing'], ok: true },
    };
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ applied: 2 });
    expect(await peerOf(net.networkId, sick)).toMatchObject({
      agentOk: false, agentHealth: 'last apply failed: nft: syntax error', lastRepairAt: '2030-01-01T11:58:00.000Z', lastRepair: 'interface was missing',
    });
    expect(await peerOf(net.networkId, well)).toMatchObject({ agentOk: null, agentHealth: null, lastRepair: null }); // an agent that sends none

    fleet.get(sick).health = { ok: true, drift: [], lastRepair: null };
    await change(owner, net.networkId);
    await runWorkerRound(t.db, { networkId: net.networkId });
    expect(await peerOf(net.networkId, sick)).toMatchObject({ agentOk: true, agentHealth: null, lastRepair: 'interface was missing' });

    fleet.get(sick).health = { ok: false, reason: 'differs from the applied config: interface was missing', drift: ['interface was missing'],
      lastRepair: { at: '2030-01-01T12:30:00.000Z', found: ['interface was missing'], ok: false } };
    await change(owner, net.networkId);
    await runWorkerRound(t.db, { networkId: net.networkId });
    expect(await peerOf(net.networkId, sick)).toMatchObject({ agentOk: false, lastRepairAt: '2030-01-01T12:30:00.000Z', lastRepair: 'could not repair: interface was missing' });
  });
});
