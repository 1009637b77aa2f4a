import type { DeviceEntry, HostEntry, NetworkState } from './network-state';
import type { Envelope } from './messages';
import type { SignedPayload } from './signing';

/*
 * Seeded random networks and changes, for the property tests here and in agent/, and for
 * stub agents in the benchmark. Seeded so a failing case can be replayed.
 */

export type Rng = () => number;

export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => { // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: T[]) => xs[int(rng, xs.length)];

export function randomKey(rng: Rng): string {
  const bytes = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) bytes[i] = int(rng, 256);
  return bytes.toString('base64');
}

function randomId(rng: Rng, prefix: string): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += '0123456789abcdefghjkmnpqrstvwxyz'[int(rng, 32)];
  return `${prefix}-${s}`;
}

export function randomHost(rng: Rng, state: Pick<NetworkState, 'networkId' | 'zone'>, ipIndex: number, enrolled = true): HostEntry {
  const memberId = randomId(rng, 'ap');
  const number = 1 + int(rng, 3);
  const base = `${memberId}.${state.networkId}.${state.zone}`;
  return {
    peerId: randomId(rng, 'pe'), memberId, kind: 'application', process: 'web', number,
    ip: `10.64.${ipIndex >> 8}.${ipIndex & 255}`,
    publicKey: enrolled ? randomKey(rng) : null,
    endpoint: enrolled ? `198.51.100.${1 + int(rng, 250)}:${51820 + int(rng, 3)}` : null,
    gateway: false,
    names: [`${number}.web.${base}`, `web.${base}`, base],
  };
}

// k must be unique per network: WireGuard moves a duplicate allowed IP from peer to peer.
function randomDevice(rng: Rng, state: NetworkState, k: number): DeviceEntry {
  return { id: randomId(rng, 'dv'), publicKey: randomKey(rng), ip: `10.64.${240 + (k >> 7)}.${1 + (k & 127)}`,
    name: `laptop${k}.someone.dev.${state.networkId}.${state.zone}` };
}

export function randomState(rng: Rng, hosts = 8, devices = 3): NetworkState {
  const state: NetworkState = {
    networkId: 'pn-testnet00001', version: 1, cidr: '10.64.0.0/16', listenPort: 51820,
    zone: 'mesh.internal', deviceBlock: '10.64.240.0/20', hosts: [], devices: [],
    allow: { rules: ['203.0.113.0/24'], leases: [] },
  };
  for (let i = 0; i < hosts; i++) state.hosts.push(randomHost(rng, state, 2 + i, i % 5 !== 4));
  for (let i = 0; i < devices; i++) state.devices.push(randomDevice(rng, state, i));
  return state;
}

/** The next version: a few random changes of every kind a real network sees; `keep` is never removed. */
export function mutateState(rng: Rng, prev: NetworkState, now = new Date(), keep?: string): NetworkState {
  const s: NetworkState = structuredClone(prev);
  s.version = prev.version + 1 + int(rng, 2);
  const changes = 1 + int(rng, 4);
  for (let c = 0; c < changes; c++) {
    const h = s.hosts.length > 0 ? pick(rng, s.hosts) : null;
    switch (int(rng, 9)) {
      case 0: s.hosts.push(randomHost(rng, s, 2 + s.version * 8 + c)); break;
      case 1: if (h && h.peerId !== keep && s.hosts.length > 2) s.hosts = s.hosts.filter((x) => x !== h); break;
      case 2: // behind NAT now and then: no endpoint, seen from an address of its own
        if (!h?.publicKey) break;
        if (rng() < 0.2) { h.endpoint = null; h.seenFrom = `192.0.2.${1 + int(rng, 250)}`; } else { h.endpoint = `198.51.100.${1 + int(rng, 250)}:51820`; delete h.seenFrom; }
        break;
      case 3: if (h) { h.publicKey = randomKey(rng); if (h.endpoint === null) { h.endpoint = '198.51.100.9:51820'; delete h.seenFrom; } } break;
      case 4: { // move the gateway (at most one per network)
        const g = rng() < 0.3 ? null : h;
        for (const x of s.hosts) x.gateway = x === g;
        break;
      }
      case 5: s.devices.push(randomDevice(rng, s, s.version * 4 + c)); break;
      case 6: if (s.devices.length > 0) s.devices.splice(int(rng, s.devices.length), 1); break;
      case 7: s.allow.leases = [{ ip: `203.0.113.${1 + int(rng, 250)}`, expiresAt: new Date(now.getTime() + 3_600_000 * (rng() - 0.2)).toISOString() }]; break;
      default: s.allow.rules = rng() < 0.5 ? [] : [`192.0.2.${int(rng, 64) * 4}/30`]; break;
    }
  }
  return s;
}

/** The envelope for one host: the same signed bytes, addressed to `target` (as the worker sends it). */
export function envelopeFor(signed: SignedPayload, target: string): Envelope {
  return { ...signed, target };
}
