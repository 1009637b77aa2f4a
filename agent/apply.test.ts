import { describe, expect, it } from 'vitest';
import { diffStates } from '../lib/core/protocol/diff';
import type { Message } from '../lib/core/protocol/messages';
import type { NetworkState } from '../lib/core/protocol/network-state';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { mutateState, randomKey, randomState, seededRng } from '../lib/core/protocol/testing';
import { Applier } from './apply';
import { FakeSystem } from './fake-system';
import { memoryAppliedStore } from './state';

const signer = generateSigningKey();
const forger = generateSigningKey();
const now = new Date('2030-01-01T00:00:00Z');
const privateKey = randomKey(seededRng(99));

function setup(state: NetworkState) {
  const self = state.hosts.find((h) => h.publicKey)!.peerId;
  const system = new FakeSystem();
  const store = memoryAppliedStore();
  const applier = new Applier({
    system, store, peerId: self, signingPublicKey: Buffer.from(signer.publicKey).toString('base64'), privateKey,
    interfaceName: 'mp0', envFile: '/run/meshplane.env', now: () => now,
  });
  return { self, system, store, applier };
}
const snapshot = (s: NetworkState): Message => ({ type: 'snapshot', networkId: s.networkId, version: s.version, state: s });
const env = (m: Message, target: string, key = signer.secretKey) => envelopeFor(signPayload(m, key), target);

describe('Applier refusals apply nothing', () => {
  const rng = seededRng(11);
  const s1 = randomState(rng);
  const s2 = mutateState(rng, s1);
  const s3 = mutateState(rng, s2);

  it('answers each refusal with its code, and the machine is untouched', async () => {
    const { self, system, store, applier } = setup(s1);
    const expectRefused = async (envelope: unknown, status: number, code: string) => {
      const before = system.calls.length;
      const r = await applier.push(envelope);
      expect(r.status).toBe(status);
      expect(r.body.error).toMatchObject({ code });
      expect(system.calls.length).toBe(before);
      return r;
    };
    const signed = signPayload(snapshot(s1), signer.secretKey);
    await expectRefused({ payload: signed.payload, target: self }, 401, 'bad_signature');
    await expectRefused(env(snapshot(s1), self, forger.secretKey), 401, 'bad_signature');
    await expectRefused({ hello: 1 }, 400, 'malformed');
    await expectRefused(env(snapshot(s1), 'pe-someoneelse1'), 421, 'wrong_target');
    await expectRefused(env(diffStates(s1, s2), self), 409, 'need_snapshot'); // nothing applied yet
    const gone = { ...s1, hosts: s1.hosts.filter((h) => h.peerId !== self) };
    await expectRefused(env(snapshot(gone), self), 421, 'wrong_target');
    expect(store.current).toBeNull();

    expect((await applier.push(env(snapshot(s2), self))).status).toBe(200);
    const replay = await expectRefused(env(snapshot(s2), self), 409, 'stale');
    expect(replay.body.appliedVersion).toBe(s2.version);
    await expectRefused(env(snapshot(s1), self), 409, 'stale');
    await expectRefused(env(diffStates(s1, s2), self), 409, 'stale');
    const gap = await expectRefused(env(diffStates({ ...s2, version: s2.version + 1 }, { ...s3, version: s3.version + 5 }), self), 409, 'need_snapshot');
    expect(gap.body.appliedVersion).toBe(s2.version);
    const other = { ...s3, networkId: 'pn-othernet0001' };
    await expectRefused(env(snapshot(other), self), 421, 'wrong_target');
    expect(store.current?.version).toBe(s2.version);
  });

  it('a failed tool applies no version, reports stderr without the private key, and resyncs fully next time', async () => {
    const { self, system, store, applier } = setup(s1);
    expect((await applier.push(env(snapshot(s1), self))).status).toBe(200);
    system.failOn = 'nftApply';
    const r = await applier.push(env(diffStates(s1, s2), self));
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ error: { code: 'apply_failed', message: 'nftApply failed: injected failure' }, appliedVersion: s1.version });
    expect(JSON.stringify(r.body)).not.toContain(privateKey);
    expect(store.current?.version).toBe(s1.version);
    system.failOn = null;
    system.calls.length = 0;
    expect((await applier.push(env(diffStates(s1, s2), self))).status).toBe(200);
    expect(system.calls).toContain('syncConf');
    expect(system.calls).not.toContain('wgSet');
  });
});

describe('Applier applies', () => {
  it('a snapshot then 100 deltas leave the same machine as the final snapshot alone', async () => {
    const rng = seededRng(2024);
    let state = randomState(rng, 10, 3);
    const a = setup(state);
    expect((await a.applier.push(env(snapshot(state), a.self))).status).toBe(200);
    a.system.calls.length = 0;
    for (let i = 0; i < 100; i++) {
      const next = mutateState(rng, state, now, a.self);
      const r = await a.applier.push(env(diffStates(state, next), a.self));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      state = next;
    }
    expect(a.system.calls).not.toContain('syncConf'); // deltas went through `wg set` only
    const b = new FakeSystem();
    const fresh = new Applier({ ...a.applier['deps'], system: b, store: memoryAppliedStore() });
    expect((await fresh.push(env(snapshot(state), a.self))).status).toBe(200);
    expect(a.system.snapshot('mp0')).toEqual(b.snapshot('mp0'));
    expect(a.system.nft).toBe(b.nft);
    expect(a.system.forwarding).toBe(b.forwarding);
    expect(a.system.files).toEqual(b.files);
    expect(a.system.snapshot('mp0').privateKey).toBe(privateKey);
  });

  it('answers with the applied version and the wg show figures', async () => {
    const s = randomState(seededRng(5), 4, 1);
    const { self, applier } = setup(s);
    const r = await applier.push(env(snapshot(s), self));
    expect(r.status).toBe(200);
    expect(r.body.appliedVersion).toBe(s.version);
    expect(r.body.peers).toContainEqual({ publicKey: s.devices[0].publicKey, latestHandshake: '2023-11-14T22:13:20.000Z', rxBytes: 1234, txBytes: 5678 });
  });

  it('reports only the peers that have shaken hands, so answers do not grow with the network', async () => {
    const s = randomState(seededRng(6), 4, 1);
    const { self, applier, system } = setup(s);
    system.wgShowDump = async () => 'priv\t(fake)\t51820\toff\nTALKING=\t(none)\t(none)\t10.0.0.2/32\t1700000000\t10\t20\toff\nSILENT=\t(none)\t(none)\t10.0.0.3/32\t0\t0\t0\toff\n';
    const r = await applier.push(env(snapshot(s), self));
    expect(r.body.peers).toEqual([{ publicKey: 'TALKING=', latestHandshake: '2023-11-14T22:13:20.000Z', rxBytes: 10, txBytes: 20 }]);
    expect(r.body.totals).toEqual({ latestHandshake: '2023-11-14T22:13:20.000Z', rxBytes: 10, txBytes: 20, peersWithHandshake: 1 });
  });

  it('lists at most the 64 most recent peers, with totals over all of them', async () => {
    const s = randomState(seededRng(7), 4, 1);
    const { self, applier, system } = setup(s);
    const lines = Array.from({ length: 300 }, (_, i) => `K${i}=\t(none)\t(none)\t10.0.${i >> 8}.${i & 255}/32\t${1700000000 + i}\t1\t2\toff`);
    system.wgShowDump = async () => `priv\t(fake)\t51820\toff\n${lines.join('\n')}\n`;
    const r = await applier.push(env(snapshot(s), self));
    expect(r.body.peers).toHaveLength(64);
    expect((r.body.peers as { publicKey: string }[])[0].publicKey).toBe('K299=');
    expect(r.body.totals).toMatchObject({ rxBytes: 300, txBytes: 600, peersWithHandshake: 300 });
  });

  it('serializes concurrent pushes and never goes backwards', async () => {
    const rng = seededRng(8);
    const s1 = randomState(rng);
    const s2 = mutateState(rng, s1);
    const s3 = mutateState(rng, s2);
    const { self, applier, store } = setup(s1);
    const [r3, r2] = await Promise.all([applier.push(env(snapshot(s3), self)), applier.push(env(snapshot(s2), self))]);
    expect([r3.status, r2.status]).toEqual([200, 409]);
    expect(store.current?.version).toBe(s3.version);
  });

  it('restores the last applied version with a full sync after a restart', async () => {
    const s = randomState(seededRng(6));
    const first = setup(s);
    await first.applier.push(env(snapshot(s), first.self));
    const system = new FakeSystem();
    const again = new Applier({ ...first.applier['deps'], system });
    expect(await again.restore()).toBe(s.version);
    expect(system.snapshot('mp0')).toEqual(first.system.snapshot('mp0'));
    expect((await again.push(env(snapshot(s), first.self))).status).toBe(409);
  });
});
