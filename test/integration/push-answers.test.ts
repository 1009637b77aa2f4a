import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { peers } from '../../lib/server/db/schema';
import type { Principal } from '../../lib/server/auth/gate';
import { createProjectOp } from '../../lib/server/projects/operations';
import { runWorkerRound } from '../../lib/server/delivery/worker';
import { claimDue } from '../../lib/server/delivery/claims';
import { Recorder } from '../../lib/server/delivery/recorder';
import { postToAgent } from '../../lib/server/delivery/deliver';
import { getSigningKey } from '../../lib/server/delivery/signing-key';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { type RawAnswer, StubFleet } from './stub-agents';
import { networkWithHosts, peerRows, versionOf } from './push-helpers';

/*
 * Issue 11, point 1: whatever one host answers, every other host's outcome is recorded, and
 * the bad one fails with our own reason. Point 2: lastError never quotes the remote.
 */

const t = useTestDb();
let owner: Principal, tenant: Principal;
let fleet: StubFleet;

beforeAll(async () => {
  [owner, tenant] = (await Promise.all([makeUser(t.db), makeUser(t.db)])).map(principalOf);
  fleet = await new StubFleet((await getSigningKey(t.db)).publicKeyBase64).start();
});
afterAll(() => fleet.stop());

const json = (status: number, body: unknown): RawAnswer => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// What a malicious or broken thing at an agentUrl answers, and the lastError each must give.
const evil: { raw: RawAnswer; error: RegExp }[] = [
  { raw: json(200, { appliedVersion: 1e300 }), error: /^bad answer: appliedVersion is not a safe integer$/ },
  { raw: json(200, { appliedVersion: 1.5 }), error: /^bad answer: appliedVersion is not a safe integer$/ },
  { raw: json(200, { appliedVersion: -1 }), error: /^bad answer: appliedVersion is negative$/ },
  { raw: json(200, { appliedVersion: '7' }), error: /^bad answer: appliedVersion is not a number$/ },
  { raw: json(200, { appliedVersion: 1_000_000 }), error: /^bad answer: appliedVersion 1000000 is above the version sent \(\d+\)$/ },
  { raw: json(200, { appliedVersion: 1, totals: { rxBytes: 1e300, latestHandshake: '+275760-09-13T00:00:00.000Z' } }), error: /^bad answer: totals\./ },
  { raw: json(409, { error: { code: 'stale', message: 'x' }, appliedVersion: 1e300 }), error: /^bad answer: appliedVersion is not a safe integer$/ },
  { raw: json(200, { appliedVersion: 1, pad: 'x'.repeat(2 << 20) }), error: /^HTTP status 200, bad answer: over 1 MiB$/ },
  { raw: { status: 200, body: 'SECRET-BODY not json' }, error: /^HTTP status 200, bad answer: not JSON$/ },
  { raw: { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' }, body: '' }, error: /^HTTP status 302 \(redirects are not followed\)$/ },
  { raw: json(500, { error: { code: 'apply_failed', message: 'SECRET-BODY' }, appliedVersion: 0 }), error: /^agent could not apply version \d+ \(apply_failed; the agent's log says why\)$/ },
  { raw: { status: 404, body: '<h1>SECRET-BODY</h1>' }, error: /^HTTP status 404 without a protocol answer$/ },
];

describe('a round with a malicious agent next to good hosts of another project', () => {
  it('records every good host applied and each bad one failed with its reason', async () => {
    const good = await networkWithHosts(t.db, owner, (await createProjectOp.execute(owner, { name: 'good' })).id, 5, fleet);
    const bad = await networkWithHosts(t.db, tenant, (await createProjectOp.execute(tenant, { name: 'evil' })).id, evil.length, fleet, (i) => ({ raw: evil[i].raw }));
    // Every host of the test database takes part: good and bad in the same batches and statements.
    const result = await runWorkerRound(t.db, { timeoutMs: 3_000 });
    expect(result.failed).toBeGreaterThanOrEqual(evil.length);

    const v = await versionOf(t.db, good.networkId);
    for (const row of await peerRows(t.db, good.networkId)) {
      expect(row).toMatchObject({ appliedVersion: v, pushState: 'applied', lastError: null, claimedAt: null });
    }
    const rows = new Map((await peerRows(t.db, bad.networkId)).map((r) => [r.id, r]));
    for (const [i, id] of bad.peerIds.entries()) {
      const row = rows.get(id)!;
      expect(fleet.get(id).hits, `stub ${i} was pushed to`).toBeGreaterThan(0);
      expect(row.lastError, `stub ${i}`).toMatch(evil[i].error);
      expect(row.lastError).not.toContain('SECRET');
      expect(row).toMatchObject({ pushState: 'failed', appliedVersion: 0, claimedAt: null, attempts: 1 });
    }
  });

  it('a slow host does not keep the others unrecorded until the round ends', async () => {
    const project = (await createProjectOp.execute(owner, { name: 'slow' })).id;
    const net = await networkWithHosts(t.db, owner, project, 4, fleet, (i) => (i === 0 ? { mode: 'hang' } : {}));
    const round = runWorkerRound(t.db, { networkId: net.networkId, timeoutMs: 4_000 });
    const started = Date.now();
    let applied = 0;
    while (Date.now() - started < 3_000 && applied < 3) {
      await new Promise((r) => setTimeout(r, 100));
      applied = (await peerRows(t.db, net.networkId)).filter((r) => r.pushState === 'applied').length;
    }
    expect(applied).toBe(3); // recorded while the hung host still holds the round
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await round).toMatchObject({ applied: 3, failed: 1 });
    fleet.get(net.peerIds[0]).mode = 'ok';
  });
});

describe('recording', () => {
  it('a batch that cannot be written is written host by host: the others still land', async () => {
    const project = (await createProjectOp.execute(owner, { name: 'batch' })).id;
    const net = await networkWithHosts(t.db, owner, project, 3, fleet);
    const now = new Date();
    const claims = await claimDue(t.db, { now, staleBefore: new Date(0), onlineSince: now, batch: 10, networkId: net.networkId, exclude: [] });
    expect(claims).toHaveLength(3);
    const recorder = new Recorder(t.db, () => now, 60_000);
    recorder.hold(claims);
    // A value nothing upstream would let through any more: the statement for all three fails.
    const [a, b, c] = claims.map((x) => x.id);
    recorder.add({ kind: 'applied', id: a, appliedVersion: 1, lastHandshakeAt: null, rxBytes: 1, txBytes: 1 });
    recorder.add({ kind: 'applied', id: b, appliedVersion: 1e300, lastHandshakeAt: null, rxBytes: 1, txBytes: 1 });
    recorder.add({ kind: 'applied', id: c, appliedVersion: 1, lastHandshakeAt: null, rxBytes: 1, txBytes: 1 });
    await recorder.close(); // does not throw: the failure is b's alone
    const rows = new Map((await t.db.select().from(peers).where(inArray(peers.id, [a, b, c]))).map((r) => [r.id, r]));
    expect(rows.get(a)).toMatchObject({ pushState: 'applied', appliedVersion: 1, claimedAt: null });
    expect(rows.get(c)).toMatchObject({ pushState: 'applied', appliedVersion: 1, claimedAt: null });
    expect(rows.get(b)).toMatchObject({ pushState: 'failed', appliedVersion: 0, claimedAt: null, lastError: 'the control plane could not record this push (its log says why)' });
  });
});

describe('agentUrl at push time', () => {
  it('is checked at every push: a URL that is a refused address is never connected to', async () => {
    const project = (await createProjectOp.execute(owner, { name: 'ssrf' })).id;
    // Listening on every address, so each URL below would reach it if it were not refused.
    const open = await new StubFleet((await getSigningKey(t.db)).publicKeyBase64).start(0, '::');
    onTestFinished(() => open.stop());
    const net = await networkWithHosts(t.db, owner, project, 3, open);
    const port = new URL((await t.db.select({ u: peers.agentUrl }).from(peers).where(eq(peers.id, net.peerIds[0])))[0].u!).port;
    // As if enrolled before these checks. The test set-up allows 127.0.0.1 only (names are
    // judged on what they resolve to: the unit tests cover them with a fake resolver).
    const urls = [`http://127.0.0.2:${port}/a/${net.peerIds[0]}`, `http://user:pw@127.0.0.1:${port}/a/${net.peerIds[1]}`, `http://[::1]:${port}/a/${net.peerIds[2]}`];
    for (const [i, url] of urls.entries()) await t.db.update(peers).set({ agentUrl: url }).where(eq(peers.id, net.peerIds[i]));
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ claimed: 3, failed: 3 });
    const rows = new Map((await peerRows(t.db, net.networkId)).map((r) => [r.id, r]));
    expect(rows.get(net.peerIds[0])!.lastError).toBe('address not allowed: the agent URL\'s host is a loopback address');
    expect(rows.get(net.peerIds[1])!.lastError).toBe('address not allowed: no user name or password may be given in the URL');
    expect(rows.get(net.peerIds[2])!.lastError).toBe('address not allowed: the agent URL\'s host is a loopback address');
    for (const id of net.peerIds) expect(open.get(id).hits).toBe(0);
    // The same stub through the allowed address: it was reachable all along.
    await t.db.update(peers).set({ agentUrl: `http://127.0.0.1:${port}/a/${net.peerIds[0]}` }).where(eq(peers.id, net.peerIds[0]));
    expect(await runWorkerRound(t.db, { networkId: net.networkId, ignoreBackoff: true })).toMatchObject({ applied: 1 });
  });

  it('connects to the address that was checked, not to what the name resolves to then', async () => {
    const project = (await createProjectOp.execute(owner, { name: 'pinned' })).id;
    const net = await networkWithHosts(t.db, owner, project, 1, fleet);
    const url = new URL((await t.db.select({ u: peers.agentUrl }).from(peers).where(eq(peers.id, net.peerIds[0])))[0].u!);
    // A name that does not resolve at all: only the checked address can have been used.
    const target = { url: new URL(`http://agent.invalid:${url.port}${url.pathname}/push`), address: '127.0.0.1', family: 4 as const };
    const answer = await postToAgent(target, { chunks: [Buffer.from('{}')], gzip: false }, 2_000);
    expect(answer.status).toBe(400); // the stub read our (empty) envelope
    expect(fleet.get(net.peerIds[0]).hits).toBe(1);
  });
});
