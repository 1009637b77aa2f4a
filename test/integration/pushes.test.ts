import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { peers } from '../../lib/server/db/schema';
import type { Principal } from '../../lib/server/auth/gate';
import { createProjectOp } from '../../lib/server/projects/operations';
import { scaleMemberOp } from '../../lib/server/members/operations';
import { leaseNow } from '../../lib/server/firewall/leases';
import { runWorkerRound } from '../../lib/server/delivery/worker';
import { recordApplied } from '../../lib/server/delivery/claims';
import { getSigningKey } from '../../lib/server/delivery/signing-key';
import { generateSigningKey } from '../../lib/core/protocol/signing';
import { useTestDb } from './db';
import { makeUser, principalOf } from './factories';
import { StubFleet } from './stub-agents';
import { change, currentState, networkWithHosts, peerRows, versionOf } from './push-helpers';

const t = useTestDb();
let owner: Principal;
let projectId: string;
let fleet: StubFleet;
const fleets: StubFleet[] = [];

beforeAll(async () => {
  owner = principalOf(await makeUser(t.db));
  projectId = (await createProjectOp.execute(owner, { name: 'pushes' })).id;
  fleet = await newFleet();
});
afterAll(async () => { for (const f of fleets) await f.stop(); });

async function newFleet(pinned?: string) {
  const f = await new StubFleet(pinned ?? (await getSigningKey(t.db)).publicKeyBase64).start();
  fleets.push(f);
  return f;
}

describe('rounds', () => {
  it('a full round applies every host, then a change reaches every host as a delta', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 6, fleet);
    const v1 = await versionOf(t.db, net.networkId);
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ claimed: 6, applied: 6, failed: 0 });
    const want = await currentState(t.db, net.networkId);
    for (const row of await peerRows(t.db, net.networkId)) {
      expect(row).toMatchObject({ appliedVersion: v1, pushState: 'applied', attempts: 0, lastError: null, claimedAt: null, rxBytes: 500, txBytes: 250 });
      expect(row.lastHandshakeAt?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
      const agent = fleet.get(row.id);
      expect(agent.received).toEqual([{ version: v1, kind: 'snapshot' }]);
      expect(agent.state).toEqual(want);
    }
    // Nothing due any more: a second round claims nothing.
    expect((await runWorkerRound(t.db, { networkId: net.networkId })).claimed).toBe(0);

    await change(owner, net.networkId);
    const v2 = await versionOf(t.db, net.networkId);
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ claimed: 6, applied: 6 });
    const want2 = await currentState(t.db, net.networkId);
    for (const id of net.peerIds) {
      expect(fleet.get(id).received.at(-1)).toEqual({ version: v2, kind: 'delta' });
      expect(fleet.get(id).state).toEqual(want2);
    }
  });

  it('scaling down: the remaining hosts get a delta without the removed host', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 3, fleet);
    await runWorkerRound(t.db, { networkId: net.networkId });
    const scaled = await scaleMemberOp.execute(owner, { memberId: net.memberId, scale: { web: 2 } });
    expect(scaled.peers).toHaveLength(2);
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ claimed: 2, applied: 2 });
    const gone = net.peerIds.find((id) => !scaled.peers.some((p) => p.id === id))!;
    for (const p of scaled.peers) {
      expect(fleet.get(p.id).received.at(-1)?.kind).toBe('delta');
      expect(fleet.get(p.id).state!.hosts.map((h) => h.peerId)).not.toContain(gone);
    }
  });

  it('a host whose agent lost its state gets a snapshot after need_snapshot', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 2, fleet);
    await runWorkerRound(t.db, { networkId: net.networkId });
    fleet.get(net.peerIds[0]).state = null; // e.g. its state dir was wiped
    await change(owner, net.networkId);
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ applied: 2, failed: 0 });
    expect(fleet.get(net.peerIds[0]).received.slice(-2).map((r) => r.kind)).toEqual(['delta', 'snapshot']);
  });

  it('claims the next batch while the current one is pushed, and leaves no claim behind', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 6, fleet, () => ({ delayMs: 400 }));
    const claimed = async () => (await peerRows(t.db, net.networkId)).filter((r) => r.claimedAt !== null).length;
    const round = runWorkerRound(t.db, { networkId: net.networkId, batch: 2, concurrency: 2 });
    await new Promise((r) => setTimeout(r, 250)); // the first batch's pushes are held by the stubs
    expect(await claimed()).toBe(4); // those two, and the next two, claimed meanwhile
    expect(await round).toMatchObject({ claimed: 6, applied: 6, failed: 0 });
    expect(await claimed()).toBe(0);

    // Out of time after a batch: nothing is claimed ahead.
    await change(owner, net.networkId);
    const short = runWorkerRound(t.db, { networkId: net.networkId, batch: 2, concurrency: 2, budgetMs: 0 });
    await new Promise((r) => setTimeout(r, 250));
    expect(await claimed()).toBe(2);
    expect(await short).toMatchObject({ claimed: 2, applied: 2 });
    expect(await claimed()).toBe(0);
  });

  it('a batch claimed ahead that fails to be claimed fails the round, not the process', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 4, fleet, () => ({ delayMs: 300 }));
    // The database, except that the second claim of the round fails (as if it went away).
    let claims = 0;
    const flaky = new Proxy(t.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'execute') return value;
        return (query: { queryChunks?: unknown[] }) => {
          if (JSON.stringify(query.queryChunks ?? '').includes('skip locked') && ++claims === 2) return Promise.reject(new Error('connection lost'));
          return value.call(target, query);
        };
      },
    });
    await expect(runWorkerRound(flaky, { networkId: net.networkId, batch: 2, concurrency: 2 })).rejects.toThrow('connection lost');
    const rows = await peerRows(t.db, net.networkId);
    expect(rows.filter((r) => r.pushState === 'applied')).toHaveLength(2); // the first batch, recorded
    expect(rows.filter((r) => r.claimedAt !== null)).toHaveLength(0);
  });

  it('two rounds at once deliver each version to each host exactly once', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 24, fleet, () => ({ delayMs: 5 }));
    const rounds = await Promise.all([1, 2, 3].map(() => runWorkerRound(t.db, { networkId: net.networkId, concurrency: 4, batch: 5 })));
    expect(rounds.reduce((n, r) => n + r.claimed, 0)).toBe(24);
    expect(rounds.filter((r) => r.claimed > 0).length).toBeGreaterThan(1); // they really shared the work
    await change(owner, net.networkId);
    const again = await Promise.all([1, 2].map(() => runWorkerRound(t.db, { networkId: net.networkId, concurrency: 3 })));
    expect(again.reduce((n, r) => n + r.applied, 0)).toBe(24);
    const v = await versionOf(t.db, net.networkId);
    for (const id of net.peerIds) {
      const a = fleet.get(id);
      expect(a.received.map((r) => r.version)).toEqual([v - 1, v]); // no push sent twice
      expect(a.applied).toEqual([v - 1, v]);
    }
  });

  it('never moves a host backwards: a late answer for an older version is ignored', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 1, fleet);
    await runWorkerRound(t.db, { networkId: net.networkId });
    const v = await versionOf(t.db, net.networkId);
    await recordApplied(t.db, [{ id: net.peerIds[0], token: 'epoch', appliedVersion: v - 1, lastHandshakeAt: null, rxBytes: null, txBytes: null }], new Date());
    expect((await peerRows(t.db, net.networkId))[0].appliedVersion).toBe(v);
  });

  it('an answer lost after the agent applied: the next push is refused as stale and recorded as applied', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 1, fleet);
    await runWorkerRound(t.db, { networkId: net.networkId });
    await change(owner, net.networkId);
    await runWorkerRound(t.db, { networkId: net.networkId });
    const v = await versionOf(t.db, net.networkId);
    // As if the round had died after the agent applied v but before it was recorded:
    await t.db.update(peers).set({ appliedVersion: v - 1, pushState: 'sent' }).where(eq(peers.id, net.peerIds[0]));
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ claimed: 1, applied: 1 });
    expect((await peerRows(t.db, net.networkId))[0]).toMatchObject({ appliedVersion: v, pushState: 'applied' });
    expect(fleet.get(net.peerIds[0]).applied).toEqual([v - 1, v]); // applied once, not twice
  });

  it('an expired lease raises the version and marks the hosts due; they drop it', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 2, fleet);
    const soon = new Date(Date.now() - 86_400_000 + 3_000); // the lease ends 3 s from now
    await leaseNow(t.db, { ...owner, ip: null }, net.networkId, '198.51.100.77', soon);
    await runWorkerRound(t.db, { networkId: net.networkId });
    expect(fleet.get(net.peerIds[0]).state!.allow.leases.map((l) => l.ip)).toEqual(['198.51.100.77']);
    const v = await versionOf(t.db, net.networkId);
    const later = new Date(Date.now() + 60_000);
    const r = await runWorkerRound(t.db, { networkId: net.networkId, now: later });
    expect(r.leasesExpired).toBeGreaterThanOrEqual(1);
    expect(r).toMatchObject({ claimed: 2, applied: 2 });
    expect(await versionOf(t.db, net.networkId)).toBe(v + 1);
    for (const id of net.peerIds) expect(fleet.get(id).state!.allow.leases).toEqual([]);
  });
});

describe('faults', () => {
  it('an agent that is down stays pending with "connection refused", backs off, and is applied when it returns', async () => {
    const down = await newFleet();
    const net = await networkWithHosts(t.db, owner, projectId, 1, down);
    await down.stop();
    const t0 = new Date();
    expect(await runWorkerRound(t.db, { networkId: net.networkId, now: t0 })).toMatchObject({ claimed: 1, failed: 1 });
    let [row] = await peerRows(t.db, net.networkId);
    expect(row).toMatchObject({ pushState: 'pending', attempts: 1, lastError: 'connection refused', claimedAt: null });
    const wait = row.nextAttemptAt.getTime() - t0.getTime();
    expect(wait).toBeGreaterThanOrEqual(5_000);
    expect(wait).toBeLessThan(6_000);
    // Within the backoff nothing is tried; after it, the second failure doubles the wait.
    expect((await runWorkerRound(t.db, { networkId: net.networkId, now: new Date(t0.getTime() + 2_000) })).claimed).toBe(0);
    const t1 = new Date(t0.getTime() + 6_000);
    expect(await runWorkerRound(t.db, { networkId: net.networkId, now: t1 })).toMatchObject({ claimed: 1, failed: 1 });
    [row] = await peerRows(t.db, net.networkId);
    expect(row.attempts).toBe(2);
    expect(row.nextAttemptAt.getTime() - t1.getTime()).toBeGreaterThanOrEqual(10_000);
    // Backoff is capped at 10 minutes.
    await t.db.update(peers).set({ attempts: 30 }).where(eq(peers.id, net.peerIds[0]));
    const t2 = new Date(t1.getTime() + 60_000);
    await runWorkerRound(t.db, { networkId: net.networkId, now: t2 });
    [row] = await peerRows(t.db, net.networkId);
    expect(row.nextAttemptAt.getTime() - t2.getTime()).toBeLessThanOrEqual(600_000 + 1_000);

    await down.start(); // same port
    const t3 = new Date(t2.getTime() + 601_000);
    expect(await runWorkerRound(t.db, { networkId: net.networkId, now: t3 })).toMatchObject({ claimed: 1, applied: 1 });
    [row] = await peerRows(t.db, net.networkId);
    expect(row).toMatchObject({ pushState: 'applied', attempts: 0, lastError: null, appliedVersion: await versionOf(t.db, net.networkId) });
  });

  it('an agent that hangs times out, says so, and does not hold up the others', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 3, fleet, (i) => ({ mode: i === 0 ? 'hang' : 'ok' }));
    const started = Date.now();
    expect(await runWorkerRound(t.db, { networkId: net.networkId, timeoutMs: 300 })).toMatchObject({ claimed: 3, applied: 2, failed: 1 });
    expect(Date.now() - started).toBeLessThan(3_000);
    const hung = (await peerRows(t.db, net.networkId)).find((r) => r.id === net.peerIds[0])!;
    expect(hung).toMatchObject({ pushState: 'pending', lastError: 'timed out after 0.3 s', attempts: 1 });
    fleet.get(net.peerIds[0]).mode = 'ok';
  });

  it('an agent that refuses says why and is marked failed', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 1, fleet);
    // An agent that pinned another key: every push is a bad signature to it.
    const other = await newFleet(Buffer.from(generateSigningKey().publicKey).toString('base64'));
    const url = other.add(net.peerIds[0]);
    await t.db.update(peers).set({ agentUrl: url }).where(eq(peers.id, net.peerIds[0]));
    expect(await runWorkerRound(t.db, { networkId: net.networkId })).toMatchObject({ failed: 1 });
    const [row] = await peerRows(t.db, net.networkId);
    expect(row.pushState).toBe('failed');
    expect(row.lastError).toMatch(/^agent refused version \d+: bad_signature$/); // the code only: its message is remote text
  });

  it('a claim left by a dead round is kept until the timeout, then taken over', async () => {
    const net = await networkWithHosts(t.db, owner, projectId, 4, fleet);
    const t0 = new Date();
    await t.db.update(peers).set({ claimedAt: t0, pushState: 'sent' }).where(eq(peers.networkId, net.networkId));
    const opts = { networkId: net.networkId, timeoutMs: 1_000 }; // claim timeout 2 × 1 s + 30 s
    expect((await runWorkerRound(t.db, { ...opts, now: new Date(t0.getTime() + 20_000) })).claimed).toBe(0);
    expect(await runWorkerRound(t.db, { ...opts, now: new Date(t0.getTime() + 33_000) })).toMatchObject({ claimed: 4, applied: 4 });
    expect((await peerRows(t.db, net.networkId)).filter((r) => r.claimedAt !== null)).toEqual([]);
  });
});
