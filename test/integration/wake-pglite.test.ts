/**
 * Changes wake delivery at once on the embedded database too: PGlite delivers NOTIFY
 * in-process at commit, so the server's own listener pushes with no worker call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { openDatabase, setDb, type Handle } from '../../lib/server/db/client';
import { createProjectOp } from '../../lib/server/projects/operations';
import { getSigningKey } from '../../lib/server/delivery/signing-key';
import { startDelivery, type Delivery } from '../../lib/server/delivery/wake';
import { makeUser, principalOf } from './factories';
import { StubFleet } from './stub-agents';
import { change, networkWithHosts, versionOf } from './push-helpers';
import { allApplied } from './wake-support';

const dataDir = mkdtempSync(path.join(tmpdir(), 'meshplane-wake-'));
let handle: Handle;
let fleet: StubFleet;
let delivery: Delivery;

beforeAll(async () => {
  handle = await openDatabase(undefined, { dataDir, kind: 'server' });
  setDb(handle);
  fleet = await new StubFleet((await getSigningKey(handle.db)).publicKeyBase64).start();
  delivery = await startDelivery(handle);
});
afterAll(async () => {
  await delivery?.stop();
  setDb(undefined);
  await handle?.close();
  await fleet?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('on PGlite, a change made through an operation reaches every host within a second', async () => {
  const owner = principalOf(await makeUser(handle.db));
  const projectId = (await createProjectOp.execute(owner, { name: 'wake-pglite' })).id;
  const net = await networkWithHosts(handle.db, owner, projectId, 3, fleet);
  await allApplied(fleet, net.peerIds, await versionOf(handle.db, net.networkId), 3000);
  await change(owner, net.networkId);
  await allApplied(fleet, net.peerIds, await versionOf(handle.db, net.networkId), 1000);
});
