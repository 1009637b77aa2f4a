import type { ConfigBody, ConfigPeer } from './types';

// What differs between the config a device was given and the one it would get now, in words
// for the device card: "out of date" alone leaves the user guessing whether it matters.

export type NetworkLabel = { cidr: string; label: string; deviceIp: string };

function peerName(peer: ConfigPeer, networks: NetworkLabel[]): string {
  const routed = networks.find((n) => peer.allowedIps.includes(n.cidr));
  if (routed) return `the gateway of ${routed.label}`;
  return `host ${peer.allowedIps.map((a) => a.replace(/\/32$/, '')).join(', ')}`;
}

function networkOfAddress(address: string, networks: NetworkLabel[]): string {
  const ip = address.replace(/\/\d+$/, '');
  return networks.find((n) => n.deviceIp === ip)?.label ?? address;
}

/**
 * One sentence per change, given first to now; [] when nothing differs. `given` null means
 * the device's last config is not known (given before it was recorded, or applied by an API
 * client from another hash): then only the fact can be said.
 */
export function configChanges(given: ConfigBody | null, now: ConfigBody, networks: NetworkLabel[], missing: string[] = []): string[] {
  const out: string[] = [];
  if (given) {
    for (const a of now.addresses) if (!given.addresses.includes(a)) out.push(`Joined ${networkOfAddress(a, networks)} (address ${a}).`);
    for (const a of given.addresses) if (!now.addresses.includes(a)) out.push(`Left the network of address ${a}.`);
    const before = new Map(given.peers.map((p) => [p.publicKey, p]));
    const after = new Map(now.peers.map((p) => [p.publicKey, p]));
    for (const [key, p] of after) {
      const old = before.get(key);
      if (!old) { out.push(`New peer: ${peerName(p, networks)}${p.endpoint ? ` at ${p.endpoint}` : ''}.`); continue; }
      if ((old.endpoint ?? null) !== (p.endpoint ?? null)) out.push(`${capital(peerName(p, networks))} moved from ${old.endpoint ?? 'no endpoint'} to ${p.endpoint ?? 'no endpoint'}.`);
      if ([...old.allowedIps].sort().join(',') !== [...p.allowedIps].sort().join(',')) out.push(`${capital(peerName(p, networks))} now routes ${p.allowedIps.join(', ')} (was ${old.allowedIps.join(', ')}).`);
    }
    for (const [key, p] of before) if (!after.has(key)) out.push(`${capital(peerName(p, networks))} is gone${p.endpoint ? ` (was at ${p.endpoint})` : ''}.`);
    if ([...given.dns].sort().join(',') !== [...now.dns].sort().join(',')) {
      out.push(now.dns.length ? `DNS server now ${now.dns.join(', ')}${given.dns.length ? ` (was ${given.dns.join(', ')})` : ''}.` : `No DNS server any more (was ${given.dns.join(', ')}).`);
    }
  }
  for (const label of missing) out.push(`Can join ${label}, which this config does not include.`);
  return out;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
