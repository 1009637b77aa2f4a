/**
 * Changes wake delivery at once (issue 13, item 1): a change made through an operation on one
 * "replica" (the test's own handle) is pushed by another replica that only LISTENs, with no
 * POST /api/worker, no button and no timer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Principal } from '../../lib/server/auth/gate';
import { openDatabase, type Handle } from '../../lib/server/db/client';
import { createProjectOp } from '../../lib/server/projects/operations';
import { getSigningKey } from '../../lib/server/delivery/signing-key';
import { startDelivery, type Delivery } from '../../lib/server/delivery/wake';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { StubFleet } from './stub-agents';
import { change, networkWithHosts, versionOf } from './push-helpers';
import { allApplied } from './wake-support';

const t = useTestDb();
let owner: Principal;
let projectId: string;
let fleet: StubFleet;
let replicaB: Handle;
let delivery: Delivery;

beforeAll(async () => {
  owner = principalOf(await makeUser(t.db));
  projectId = (await createProjectOp.execute(owner, { name: 'wake' })).id;
  fleet = await new StubFleet((await getSigningKey(t.db)).publicKeyBase64).start();
  replicaB = await openDatabase(inject('testDatabaseUrl'), { migrated: true });
  delivery = await startDelivery(replicaB);
});
afterAll(async () => {
  await delivery?.stop();
  await replicaB?.close();
  await fleet?.stop();
});

it('a change committed on replica A reaches every host within a second, pushed by replica B', async () => {
  const net = await networkWithHosts(t.db, owner, projectId, 5, fleet);
  // The enrolments were changes too: B delivered them already.
  await allApplied(fleet, net.peerIds, await versionOf(t.db, net.networkId), 2000);

  const started = Date.now();
  await change(owner, net.networkId);
  const v = await versionOf(t.db, net.networkId);
  await allApplied(fleet, net.peerIds, v, 1000);
  console.log(`change → 5 hosts applied in ${Date.now() - started} ms`);
  for (const id of net.peerIds) expect(fleet.get(id).received.at(-1)).toEqual({ version: v, kind: 'delta' });
});

it('a burst of changes coalesces: every host ends on the last version, never going back', async () => {
  const net = await networkWithHosts(t.db, owner, projectId, 3, fleet);
  await allApplied(fleet, net.peerIds, await versionOf(t.db, net.networkId), 2000);
  for (let i = 0; i < 5; i++) await change(owner, net.networkId);
  const v = await versionOf(t.db, net.networkId);
  await allApplied(fleet, net.peerIds, v, 1500);
  for (const id of net.peerIds) {
    const applied = fleet.get(id).applied;
    expect([...applied].sort((a, b) => a - b)).toEqual(applied);
  }
});
