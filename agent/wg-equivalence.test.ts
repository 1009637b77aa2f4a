import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffStates } from '../lib/core/protocol/diff';
import type { Message } from '../lib/core/protocol/messages';
import type { NetworkState } from '../lib/core/protocol/network-state';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { mutateState, randomState, seededRng } from '../lib/core/protocol/testing';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { Applier } from './apply';
import { memoryAppliedStore } from './state';
import { RealSystem, type System } from './system';
import { createNetns, requireRoot, requireTools, requireTun } from './test-support';

/*
 * ROOT, real tools: one wireguard-go interface fed a snapshot then 100 random deltas through
 * `wg set`, another fed only the final snapshot through `wg syncconf`; `wg showconf` must
 * agree. Each interface lives in a namespace of its own with no underlay, so nothing leaves.
 */

const signer = generateSigningKey();
const now = new Date('2030-01-01T00:00:00Z');
const { privateKey } = generateKeyPair();
const namespaces: ReturnType<typeof createNetns>[] = [];
let tmp = '';

beforeAll(async () => {
  requireRoot();
  requireTools(['ip', 'wg', 'wireguard-go', 'nft']);
  requireTun();
  tmp = await mkdtemp(join(tmpdir(), 'mp-wgeq-'));
});
afterAll(async () => {
  for (const ns of namespaces) ns.remove();
  await rm(tmp, { recursive: true, force: true });
});

// Distinct interface names: wireguard-go's control socket (/var/run/wireguard/NAME.sock) is
// shared by all namespaces of the machine, so two `mp0`s (or two runs) would collide.
const tag = randomBytes(2).toString('hex');
const ifname = (name: string) => `mp${tag}${name}`;

function agentIn(name: string, peerId: string) {
  const ns = createNetns(`mpt-${name}`);
  namespaces.push(ns);
  const real = new RealSystem({ netns: ns.name });
  const calls: string[] = [];
  // Records which tools were used, to prove the deltas really went through `wg set`.
  const system = new Proxy(real, {
    get: (target, prop: string) => {
      const v = (target as unknown as Record<string, unknown>)[prop];
      return typeof v === 'function' ? (...args: unknown[]) => { calls.push(prop); return (v as (...a: unknown[]) => unknown).apply(target, args); } : v;
    },
  }) as System;
  const applier = new Applier({
    system, store: memoryAppliedStore(), peerId, privateKey, interfaceName: ifname(name), envFile: join(tmp, `${name}.env`),
    signingPublicKey: Buffer.from(signer.publicKey).toString('base64'), now: () => now,
  });
  return { ns, calls, applier };
}

const sign = (m: Message, target: string) => envelopeFor(signPayload(m, signer.secretKey), target);
const snap = (s: NetworkState): Message => ({ type: 'snapshot', networkId: s.networkId, version: s.version, state: s });

function showconf(ns: ReturnType<typeof createNetns>, ifname: string) {
  const text = ns.exec(['wg', 'showconf', ifname]);
  const [iface, ...peers] = text.split('[Peer]');
  const field = (block: string, k: string) => new RegExp(`^${k} = (.*)$`, 'm').exec(block)?.[1] ?? null;
  return {
    listenPort: field(iface, 'ListenPort'),
    privateKey: field(iface, 'PrivateKey'),
    peers: peers.map((b) => ({
      publicKey: field(b, 'PublicKey'), endpoint: field(b, 'Endpoint'),
      allowedIps: (field(b, 'AllowedIPs') ?? '').split(', ').filter(Boolean).sort(),
    })).sort((a, b) => (a.publicKey! < b.publicKey! ? -1 : 1)),
  };
}

describe('wg set deltas vs wg syncconf snapshot (real wireguard-go)', () => {
  it('after 100 random deltas, wg showconf equals a fresh interface given the final snapshot', async () => {
    const rng = seededRng(77);
    let state = randomState(rng, 12, 4);
    const self = state.hosts[0].peerId;
    const a = agentIn('a', self);
    expect((await a.applier.push(sign(snap(state), self))).status).toBe(200);
    a.calls.length = 0;
    const deadline = Date.now() + 90_000;
    for (let i = 0; i < 100 && Date.now() < deadline; i++) {
      const next = mutateState(rng, state, now, self);
      const r = await a.applier.push(sign(diffStates(state, next), self));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      state = next;
    }
    expect(state.version).toBeGreaterThan(100); // all 100 deltas ran within the time bound
    expect(a.calls).toContain('wgSet');
    expect(a.calls).not.toContain('syncConf');

    const b = agentIn('b', self);
    const rb = await b.applier.push(sign(snap(state), self));
    expect(rb.status, JSON.stringify(rb.body)).toBe(200);
    const confA = showconf(a.ns, ifname('a'));
    expect(confA.peers.length).toBeGreaterThan(3);
    expect(confA.privateKey).toBe(privateKey);
    expect(confA).toEqual(showconf(b.ns, ifname('b')));
    // Address and allow-list agree too (the lease's countdown aside).
    const addr = (ns: typeof a.ns, ifname: string) => ns.exec(['ip', '-4', '-o', 'addr', 'show', 'dev', ifname]).split(/\s+/)[3];
    expect(addr(a.ns, ifname('a'))).toBe(addr(b.ns, ifname('b')));
    // (and the interface name in the guard of the private IP, which differs by design here).
    const nft = (ns: typeof a.ns) => ns.exec(['nft', 'list', 'table', 'inet', 'meshplane']).replace(/ expires \S+/g, '')
      .replace(new RegExp(`${ifname('a')}|${ifname('b')}`, 'g'), 'IFACE');
    expect(nft(a.ns)).toBe(nft(b.ns));
  }, 120_000);
});
