import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../lib/server/db/client';
import { networks, peers } from '../../lib/server/db/schema';
import type { Principal } from '../../lib/server/auth/gate';
import { createNetworkOp } from '../../lib/server/networks/operations';
import { createMemberOp } from '../../lib/server/members/operations';
import { addRuleOp } from '../../lib/server/firewall/operations';
import { createEnrollmentTokenOp } from '../../lib/server/delivery/operations';
import { enrollHost } from '../../lib/server/peers/enrollment';
import { buildNetworkState } from '../../lib/server/delivery/network-state';
import { afterAll, beforeAll } from 'vitest';
import { createProjectOp } from '../../lib/server/projects/operations';
import { getSigningKey } from '../../lib/server/delivery/signing-key';
import { makeUser, principalOf } from './factories';
import { StubFleet, type StubAgent } from './stub-agents';

/** A random WireGuard public key (any 32 bytes will do for stubs). */
export const randomKey = () => randomBytes(32).toString('base64');

/** A test file's owner, project and running stub fleet: made before its tests, stopped after. */
export function useFleetProject(t: { readonly db: Db }, projectName: string) {
  const s = {} as { owner: Principal; projectId: string; fleet: StubFleet };
  beforeAll(async () => {
    s.owner = principalOf(await makeUser(t.db));
    s.projectId = (await createProjectOp.execute(s.owner, { name: projectName })).id;
    s.fleet = await new StubFleet((await getSigningKey(t.db)).publicKeyBase64).start();
  });
  afterAll(() => s.fleet.stop());
  return s;
}

let counter = 0;

/** A network with one application of `n` web instances, each enrolled to an agent in `fleet`. */
export async function networkWithHosts(db: Db, owner: Principal, projectId: string, n: number, fleet: StubFleet,
  agentOpts: (i: number) => Partial<Pick<StubAgent, 'mode' | 'delayMs' | 'raw'>> = () => ({})) {
  const network = await createNetworkOp.execute(owner, { projectId, label: `push-${++counter}-${randomBytes(2).toString('hex')}` });
  const member = await createMemberOp.execute(owner, { networkId: network.id, kind: 'application', label: 'app', processes: { web: n } });
  const ids: string[] = [];
  for (const [i, peer] of member.peers.entries()) {
    ids.push(await enrol(db, owner, peer.id, fleet.add(peer.id, agentOpts(i)), i));
  }
  return { networkId: network.id, memberId: member.id, peerIds: ids };
}

export async function enrol(db: Db, owner: Principal, peerId: string, agentUrl: string, i = 0): Promise<string> {
  const { token } = await createEnrollmentTokenOp.execute(owner, { peerId });
  await enrollHost(db, { token, publicKey: randomKey(), endpoint: `198.51.100.${1 + (i % 250)}:51820`, agentUrl }, null);
  return peerId;
}

/** A real config change (a new permanent rule): the network's version goes up by one. */
export async function change(owner: Principal, networkId: string) {
  await addRuleOp.execute(owner, { networkId, cidr: `203.0.113.${(++counter * 4) % 256}/30` });
}

export async function versionOf(db: Db, networkId: string): Promise<number> {
  return (await db.select({ v: networks.configVersion }).from(networks).where(eq(networks.id, networkId)))[0].v;
}

export async function peerRows(db: Db, networkId: string) {
  return db.select().from(peers).where(eq(peers.networkId, networkId));
}

/** What the database says the network is now, for comparing with what stubs applied. */
export async function currentState(db: Db, networkId: string) {
  return (await buildNetworkState(db, networkId, new Date()))!;
}
