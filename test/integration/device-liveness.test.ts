import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { devices } from '../../lib/server/db/schema';
import type { Principal } from '../../lib/server/auth/gate';
import { createProjectOp } from '../../lib/server/projects/operations';
import { createDeviceOp, listDevicesOp, listNetworkDevicesOp } from '../../lib/server/devices/operations';
import { runWorkerRound } from '../../lib/server/delivery/worker';
import { getSigningKey } from '../../lib/server/delivery/signing-key';
import { generateKeyPair } from '../../lib/core/wireguard/keys';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { type RawAnswer, StubFleet } from './stub-agents';
import { networkWithHosts } from './push-helpers';

// Issue 16 item 5 (devices): the latest handshake any host reports for a device's key.

const t = useTestDb();
let owner: Principal;
let fleet: StubFleet;

beforeAll(async () => {
  owner = principalOf(await makeUser(t.db));
  fleet = await new StubFleet((await getSigningKey(t.db)).publicKeyBase64).start();
});
afterAll(() => fleet.stop());

const json = (body: unknown): RawAnswer => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('device liveness', () => {
  it('records the latest handshake per device key over every host, ignoring entries that do not parse', async () => {
    const project = await createProjectOp.execute(owner, { name: 'liveness' });
    const laptop = generateKeyPair().publicKey;
    const phone = generateKeyPair().publicKey;
    const older = '2026-12-01T10:00:00.000Z';
    const newer = '2026-12-01T11:00:00.000Z';
    // Two hosts hear the laptop, at different times; one answer also carries junk.
    const answers = [
      json({ appliedVersion: 0, peers: [{ publicKey: laptop, latestHandshake: older }, { publicKey: 'not a key', latestHandshake: newer }] }),
      json({ appliedVersion: 0, peers: [{ publicKey: laptop, latestHandshake: newer }, { publicKey: phone, latestHandshake: 'yesterday' }] }),
    ];
    const net = await networkWithHosts(t.db, owner, project.id, 2, fleet, (i) => ({ raw: answers[i] }));
    const made = await createDeviceOp.execute(owner, { name: 'laptop', publicKey: laptop });
    await createDeviceOp.execute(owner, { name: 'phone', publicKey: phone });
    expect((await listDevicesOp.execute(owner, {})).items.map((d) => d.lastHandshakeAt)).toEqual([null, null]);

    await runWorkerRound(t.db, { timeoutMs: 3_000 });
    const { items } = await listDevicesOp.execute(owner, {});
    expect(items.map((d) => [d.name, d.lastHandshakeAt?.toISOString() ?? null])).toEqual([['laptop', newer], ['phone', null]]);
    const inNetwork = await listNetworkDevicesOp.execute(owner, { networkId: net.networkId });
    expect(inNetwork.find((d) => d.name === 'laptop')?.lastHandshakeAt?.toISOString()).toBe(newer);

    // An older report never moves it back.
    await t.db.update(devices).set({ lastHandshakeAt: new Date('2026-12-01T12:00:00.000Z') }).where(eq(devices.id, made.id));
    await createDeviceOp.execute(owner, { name: 'tablet', publicKey: generateKeyPair().publicKey }); // a new version: pushed again
    const round = await runWorkerRound(t.db, { timeoutMs: 3_000 });
    expect(round.applied).toBe(2);
    const [row] = await t.db.select().from(devices).where(eq(devices.id, made.id));
    expect(row.lastHandshakeAt?.toISOString()).toBe('2026-12-01T12:00:00.000Z');
  });
});
