import ipaddr from 'ipaddr.js';
import type { HostConfig } from '../lib/core/protocol/host-config';
import type { LiveState } from './system';

/*
 * What differs between the machine and the config the agent applied, as short sentences for
 * the log, /healthz and the dashboard ("interface was missing"). Pure: the applier gathers the
 * live state (System.inspect) and repairs any difference with a full sync.
 *
 * Left out on purpose: a peer's endpoint that moved (WireGuard roams to where a peer's
 * authenticated packets come from, which is normal behind NAT) and the elements of the lease
 * sets (they expire by themselves in the kernel). A peer that lost its endpoint is drift.
 */

export type Expected = {
  config: HostConfig;
  privateKey: string;
  envText: string;
  /** The table as listed right after the last apply (normalized), null before any. */
  nftBaseline: string | null;
  /** Whether the DNS responder still serves on the private IP. */
  dnsServing: boolean;
};

export function envText(config: HostConfig): string {
  return Object.entries(config.env).map(([k, v]) => `${k}=${v}\n`).join('');
}

export function driftOf(e: Expected, live: LiveState): string[] {
  if (!live.exists) return ['interface was missing'];
  const out: string[] = [];
  const { config } = e;
  if (!live.up) out.push('interface was down');
  if (!live.wg) out.push('interface had no WireGuard configuration');
  else {
    if (live.wg.privateKey !== e.privateKey) out.push('private key differed');
    if (live.wg.listenPort !== config.listenPort) out.push(`listen port was ${live.wg.listenPort}, not ${config.listenPort}`);
    const liveByKey = new Map(live.wg.peers.map((p) => [p.publicKey, p]));
    const missing = config.peers.filter((p) => !liveByKey.has(p.publicKey)).length;
    const wanted = new Set(config.peers.map((p) => p.publicKey));
    const extra = live.wg.peers.filter((p) => !wanted.has(p.publicKey)).length;
    if (missing > 0) out.push(`${missing} ${plural(missing, 'peer')} missing`);
    if (extra > 0) out.push(`${extra} unknown ${plural(extra, 'peer')}`);
    let ips = 0;
    let endpoints = 0;
    let keepalives = 0;
    for (const p of config.peers) {
      const l = liveByKey.get(p.publicKey);
      if (!l) continue;
      if (sorted(l.allowedIps).join(',') !== sorted(p.allowedIps).join(',')) ips++;
      if (p.endpoint && !l.endpoint) endpoints++;
      if ((p.persistentKeepalive ?? 0) !== l.persistentKeepalive) keepalives++;
    }
    if (ips > 0) out.push(`allowed IPs differed on ${ips} ${plural(ips, 'peer')}`);
    if (endpoints > 0) out.push(`${endpoints} ${plural(endpoints, 'peer')} without endpoint`);
    if (keepalives > 0) out.push(`keepalive differed on ${keepalives} ${plural(keepalives, 'peer')}`);
  }
  if (live.addresses.length !== 1 || live.addresses[0] !== config.address) {
    out.push(`address was ${live.addresses.join(', ') || 'none'}, not ${config.address}`);
  }
  const route = `${ipaddr.IPv4.networkAddressFromCIDR(config.address).toString()}/${config.address.split('/')[1]}`;
  if (!live.routes.includes(route)) out.push(`route to ${route} was missing`);
  if (live.nft === null) out.push('nft table was missing');
  else if (e.nftBaseline !== null && normalizeNft(live.nft) !== e.nftBaseline) out.push('nft table differed');
  if (!e.dnsServing) out.push('DNS responder was not serving');
  if (live.env === null) out.push('env file was missing');
  else if (live.env !== e.envText) out.push('env file differed');
  return out;
}

/** A listing without what changes by itself: lease elements (and their countdowns), handles. */
export function normalizeNft(listing: string): string {
  const lines = listing.split('\n');
  const out: string[] = [];
  let inLeases = false;
  let skippingElements = false;
  for (const line of lines) {
    const t = line.trim();
    if (/^set leases6? \{$/.test(t)) inLeases = true;
    if (inLeases && t.startsWith('elements = {')) {
      skippingElements = !t.endsWith('}');
      continue;
    }
    if (skippingElements) {
      if (t.endsWith('}')) skippingElements = false;
      continue;
    }
    if (inLeases && t === '}') inLeases = false;
    out.push(t.replace(/ # handle \d+$/, ''));
  }
  return out.filter(Boolean).join('\n');
}

const sorted = (a: string[]) => [...a].sort();
const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
