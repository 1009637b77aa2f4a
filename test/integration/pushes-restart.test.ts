import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { createMemberOp } from '../../lib/server/members/operations';
import { buildNetworkState } from '../../lib/server/delivery/network-state';
import { forgetDocuments } from '../../lib/server/delivery/documents';
import { runWorkerRound } from '../../lib/server/delivery/worker';
import { rawTestDb, useTestDb } from './db';
import { change, networkWithHosts, peerRows, versionOf, useFleetProject } from './push-helpers';

const t = useTestDb();
const s = useFleetProject(t, 'restart');

describe('the app restarted mid-round', () => {
  it('a killed round loses nothing and doubles nothing: the next round after the claim timeout completes it', async () => {
    const hosts = 60;
    const net = await networkWithHosts(t.db, s.owner, s.projectId, hosts, s.fleet, () => ({ delayMs: 40 }));
    const v = await versionOf(t.db, net.networkId);
    const timeoutMs = 2_000;
    // A round in a process of its own, killed (SIGKILL: no cleanup at all) part-way through.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('test/integration/worker-round-child.ts')], {
      env: { ...process.env, DATABASE_URL: inject('testDatabaseUrl'), ROUND_OPTIONS: JSON.stringify({ networkId: net.networkId, concurrency: 2, timeoutMs }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise((r) => child.on('exit', r));
    const received = () => net.peerIds.filter((id) => s.fleet.get(id).received.length > 0).length;
    for (let i = 0; i < 300 && received() < 10; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await exited;
    const applied = received();
    expect(applied, `the child round never pushed: ${stderr}`).toBeGreaterThanOrEqual(10);
    expect(applied).toBeLessThan(hosts);

    // What the dead round recorded before it died (it writes outcomes as it goes) stays; the
    // claims it still held are kept until they time out (2 × 2 s + 30 s), not taken at once.
    const recorded = (await peerRows(t.db, net.networkId)).filter((row) => row.pushState === 'applied').length;
    expect(recorded).toBeLessThanOrEqual(applied);
    expect((await runWorkerRound(t.db, { networkId: net.networkId, timeoutMs })).claimed).toBe(0);
    const later = new Date(Date.now() + 35_000);
    forgetDocuments(); // a new process: nothing cached
    const r = await runWorkerRound(t.db, { networkId: net.networkId, timeoutMs, now: later, concurrency: 16 });
    expect(r).toMatchObject({ claimed: hosts - recorded, applied: hosts - recorded, failed: 0 });
    for (const row of await peerRows(t.db, net.networkId)) {
      expect(row).toMatchObject({ appliedVersion: v, pushState: 'applied', claimedAt: null });
      expect(s.fleet.get(row.id).applied).toEqual([v]); // applied exactly once
    }
    // And the next change goes out as deltas from the document the dead round stored.
    await change(s.owner, net.networkId);
    forgetDocuments();
    // (10 s on: the previous round's clock ran on while it worked, and it dated its records so.)
    await runWorkerRound(t.db, { networkId: net.networkId, now: new Date(later.getTime() + 10_000), concurrency: 16 });
    for (const id of net.peerIds) expect(s.fleet.get(id).received.at(-1)).toEqual({ version: v + 1, kind: 'delta' });
  }, 60_000);
});

describe('the network document', () => {
  it('is read with the same number of queries for 3 or 60 hosts', async () => {
    const small = await createMemberOp.execute(s.owner, { networkId: (await networkWithHosts(t.db, s.owner, s.projectId, 1, s.fleet)).networkId, kind: 'addon', label: 'db', instances: 2 });
    const big = await networkWithHosts(t.db, s.owner, s.projectId, 60, s.fleet);
    const count = async (networkId: string) => {
      let queries = 0;
      const { db, close } = rawTestDb({ onQuery: () => { queries++; } });
      try {
        const state = await buildNetworkState(db, networkId, new Date());
        return { queries, hosts: state!.hosts.length };
      } finally {
        await close();
      }
    };
    const a = await count(small.networkId);
    const b = await count(big.networkId);
    expect(a.hosts).toBe(3);
    expect(b.hosts).toBe(60);
    expect(b.queries).toBe(a.queries);
  });
});
