import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffStates } from '../lib/core/protocol/diff';
import type { Message } from '../lib/core/protocol/messages';
import type { NetworkState } from '../lib/core/protocol/network-state';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { mutateState, randomKey, randomState, seededRng } from '../lib/core/protocol/testing';
import { Applier } from './apply';
import { FakeSystem } from './fake-system';
import { probeControlPlane } from './probe';
import { normalizeNft } from './reconcile';
import { fileAppliedStore, loadAgent, memoryAppliedStore, writeIdentity, writePrivateKey } from './state';

/*
 * Reconcile, health and damaged state with the in-memory machine: every kind of drift is
 * found, repaired by a full sync from the applied document with no push, and reported.
 */

const signer = generateSigningKey();
const privateKey = randomKey(seededRng(42));
const now = new Date('2030-01-01T00:00:00Z');
const snapshot = (s: NetworkState): Message => ({ type: 'snapshot', networkId: s.networkId, version: s.version, state: s });
const env = (m: Message, target: string) => envelopeFor(signPayload(m, signer.secretKey), target);
let dir = '';
afterEach(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

async function applied(seed = 1) {
  const state = randomState(seededRng(seed), 6, 2);
  const self = state.hosts.find((h) => h.publicKey)!.peerId;
  const system = new FakeSystem();
  const logs: string[] = [];
  const applier = new Applier({
    system, store: memoryAppliedStore(), peerId: self, signingPublicKey: Buffer.from(signer.publicKey).toString('base64'),
    privateKey, interfaceName: 'mp0', envFile: '/run/m.env', now: () => now, log: (l) => logs.push(l),
  });
  expect((await applier.push(env(snapshot(state), self))).status).toBe(200);
  return { state, self, system, applier, logs };
}

describe('reconcile', () => {
  it('a host behind NAT: a keepalive turned off by hand is drift, and is set again', async () => {
    const state = randomState(seededRng(3), 6, 2);
    const self = state.hosts.find((h) => h.publicKey)!;
    self.endpoint = null;
    const system = new FakeSystem();
    const applier = new Applier({
      system, store: memoryAppliedStore(), peerId: self.peerId, signingPublicKey: Buffer.from(signer.publicKey).toString('base64'),
      privateKey, interfaceName: 'mp0', envFile: '/run/m.env', now: () => now,
    });
    expect((await applier.push(env(snapshot(state), self.peerId))).status).toBe(200);
    const dialled = [...system.ifaces.get('mp0')!.peers.values()].filter((p) => p.endpoint);
    expect(dialled.length).toBeGreaterThan(0);
    expect(dialled.every((p) => p.keepalive === 25)).toBe(true);
    dialled[0].keepalive = 0;
    const r = await applier.reconcile('timer');
    expect(r.repaired).toBe(true);
    expect(applier.health().lastRepair!.found).toEqual(['keepalive differed on 1 peer']);
    expect([...system.ifaces.get('mp0')!.peers.values()].filter((p) => p.endpoint).every((p) => p.keepalive === 25)).toBe(true);
  });

  it('finds nothing on a machine that matches, and says ok', async () => {
    const { applier } = await applied();
    expect(await applier.reconcile('timer')).toEqual({ drift: [], repaired: false });
    expect(applier.health()).toEqual({ ok: true, drift: [], lastRepair: null });
  });

  const cases: [string, (s: FakeSystem) => void, RegExp][] = [
    ['interface deleted', (s) => s.ifaces.delete('mp0'), /^interface was missing$/],
    ['interface down', (s) => { s.ifaces.get('mp0')!.up = false; }, /interface was down/],
    ['private key wiped', (s) => { s.ifaces.get('mp0')!.privateKey = ''; }, /private key differed/],
    ['port changed', (s) => { s.ifaces.get('mp0')!.listenPort = 1234; }, /listen port was 1234/],
    ['a peer removed', (s) => { const i = s.ifaces.get('mp0')!; i.peers.delete([...i.peers.keys()][0]); }, /1 peer missing/],
    ['a peer added', (s) => { s.ifaces.get('mp0')!.peers.set('X'.repeat(43) + '=', { endpoint: null, allowedIps: [], keepalive: 0 }); }, /1 unknown peer/],
    ['allowed IPs changed', (s) => { const i = s.ifaces.get('mp0')!; [...i.peers.values()][0].allowedIps = ['10.9.9.9/32']; }, /allowed IPs differed on 1 peer/],
    ['address changed', (s) => { s.ifaces.get('mp0')!.address = '10.1.1.1/24'; }, /address was 10\.1\.1\.1\/24/],
    ['nft table flushed', (s) => { s.nft = null; }, /nft table was missing/],
    ['nft table changed', (s) => { s.nft = `${s.nft}\n# tampered`; }, /nft table differed/],
    ['env file removed', (s) => { s.files.clear(); }, /env file was missing/],
  ];
  for (const [what, damage, found] of cases) {
    it(`repairs a machine whose ${what}, without a push, and records it`, async () => {
      const { system, applier, logs } = await applied();
      const before = structuredClone(system.snapshot('mp0'));
      const nft = system.nft;
      damage(system);
      const r = await applier.reconcile('timer');
      expect(r.repaired).toBe(true);
      expect(applier.health().lastRepair).toMatchObject({ at: now.toISOString(), ok: true });
      expect(applier.health().lastRepair!.found.join('; ')).toMatch(found);
      expect(applier.health().ok).toBe(true);
      expect(system.snapshot('mp0')).toEqual(before);
      expect(system.nft).toBe(nft);
      expect(logs.some((l) => /^repaired: /.test(l))).toBe(true);
      // A re-created interface starts its handshakes at once: one packet to each peer with an endpoint.
      if (what === 'interface deleted') expect(system.nudged.length).toBeGreaterThan(0);
      else expect(system.nudged).toEqual([]);
    });
  }

  it('reacts to a link event through the watcher given to it', async () => {
    const { system } = await applied();
    let events = 0;
    const stop = system.watchLinks('mp0', () => events++);
    system.linkEvent();
    stop();
    system.linkEvent();
    expect(events).toBe(1);
  });

  it('a delta onto an interface that vanished is applied with the full config, never onto an empty one', async () => {
    const { state, self, system, applier } = await applied(3);
    system.ifaces.delete('mp0');
    system.calls.length = 0;
    const next = mutateState(seededRng(9), state, now, self);
    expect((await applier.push(env(diffStates(state, next), self))).status).toBe(200);
    expect(system.calls).toContain('syncConf');
    expect(system.snapshot('mp0').privateKey).toBe(privateKey);
    expect(system.snapshot('mp0').listenPort).toBe(next.listenPort);
  });

  it('is unhealthy with the reason while a repair fails, and while the last apply failed', async () => {
    const { state, self, system, applier } = await applied(4);
    system.ifaces.delete('mp0');
    system.failOn = 'syncConf';
    expect((await applier.reconcile('timer')).repaired).toBe(false);
    expect(applier.health()).toMatchObject({ ok: false, reason: 'differs from the applied config: interface was missing', drift: ['interface was missing'], lastRepair: { ok: false } });
    const next = mutateState(seededRng(5), state, now, self);
    const r = await applier.push(env(diffStates(state, next), self));
    expect(r.status).toBe(500);
    expect(r.body.health).toMatchObject({ ok: false, reason: 'last apply failed: syncConf failed: injected failure' });
    system.failOn = null;
    const ok = await applier.push(env(diffStates(state, next), self));
    expect(ok.status).toBe(200);
    expect(ok.body.health).toMatchObject({ ok: true, drift: [] });
  });

  it('reports an unreachable control plane as the reason, and ok again when it answers', async () => {
    const { applier } = await applied();
    const problem = await probeControlPlane('http://127.0.0.1:3239', 2000);
    expect(problem).toMatch(/^cannot reach the control plane at http:\/\/127\.0\.0\.1:3239: ECONNREFUSED/);
    applier.setControlPlaneProblem(problem);
    expect(applier.health()).toMatchObject({ ok: false, reason: problem });
    applier.setControlPlaneProblem(null);
    expect(applier.health().ok).toBe(true);
  });

  it('ignores what changes by itself in the nft listing: lease countdowns and handles', () => {
    const a = 'table inet meshplane {\n  set leases {\n    type ipv4_addr\n    flags interval,timeout\n    elements = { 198.51.100.9 timeout 1d expires 23h59m50s }\n  }\n  chain input { # handle 1\n  }\n}';
    const b = 'table inet meshplane {\n  set leases {\n    type ipv4_addr\n    flags interval,timeout\n  }\n  chain input { # handle 7\n  }\n}';
    expect(normalizeNft(a)).toBe(normalizeNft(b));
  });
});

describe('state files after a power loss', () => {
  it('moves a truncated applied.json aside, names it, and answers deltas with need_snapshot until a snapshot', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-damage-'));
    const state = randomState(seededRng(12), 4, 1);
    const self = state.hosts.find((h) => h.publicKey)!.peerId;
    await fileAppliedStore(dir).save({ version: state.version, state });
    await writeFile(join(dir, 'applied.json'), '{"sha256":"00');
    const logs: string[] = [];
    const applier = new Applier({
      system: new FakeSystem(), store: fileAppliedStore(dir), peerId: self, signingPublicKey: Buffer.from(signer.publicKey).toString('base64'),
      privateKey, interfaceName: 'mp0', envFile: '/run/m.env', now: () => now, log: (l) => logs.push(l),
    });
    expect(await applier.restore()).toBeNull();
    expect(logs.join('\n')).toMatch(new RegExp(`${join(dir, 'applied.json').replace(/[/.]/g, '\\$&')} is damaged \\(checksum mismatch\\): moved to applied\\.json\\.damaged-`));
    expect((await readdir(dir)).some((f) => f.startsWith('applied.json.damaged-'))).toBe(true);
    expect(applier.health()).toMatchObject({ ok: false, reason: expect.stringMatching(/waiting for a full snapshot/) });
    const next = mutateState(seededRng(13), state, now, self);
    const delta = await applier.push(env(diffStates(state, next), self));
    expect([delta.status, delta.body.error, delta.body.appliedVersion]).toEqual([409, expect.objectContaining({ code: 'need_snapshot' }), null]);
    expect((await applier.push(env(snapshot(next), self))).status).toBe(200);
    expect(applier.health().ok).toBe(true);
    expect((await fileAppliedStore(dir).load()).applied?.version).toBe(next.version);
  });

  it('refuses to start on a damaged identity.json, naming it and the command that recovers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-damage-'));
    await writePrivateKey(dir, privateKey);
    await writeIdentity(dir, {
      server: 'http://cp', peerId: 'pe-abcdefabcdef', hostToken: 't', signingPublicKey: Buffer.alloc(32).toString('base64'),
      interface: 'mp0', listen: '127.0.0.1:7000', endpoint: '198.51.100.1:51820',
    });
    await writeFile(join(dir, 'identity.json'), '');
    await expect(loadAgent(dir)).rejects.toThrow(`${join(dir, 'identity.json')} is damaged (empty). Re-join this host`);
    await expect(loadAgent(dir)).rejects.toThrow(`meshplane-agent enroll --server URL --token T`);
  });
});
