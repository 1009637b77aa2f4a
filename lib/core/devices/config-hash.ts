import { createHash } from 'node:crypto';
import type { ConfigBody } from './types';

/**
 * A fingerprint of what a config says (addresses, peers, DNS), independent of list order.
 * Stored as devices.lastGivenHash when a device is given a config; a different fingerprint
 * now means the config on the device is out of date.
 */
export function configHash(body: ConfigBody): string {
  return configHashOf(body.addresses, canonicalTail(body));
}

/**
 * The part of the canonical text after the addresses (DNS, peers), which devices in the same
 * networks share: the devices list computes it once per set of networks (config-sets.ts).
 * configHash(body) === configHashOf(body.addresses, canonicalTail(body)), by construction.
 */
export function canonicalTail(body: Pick<ConfigBody, 'dns' | 'peers'>): string {
  const peers = body.peers
    .map((p) => ({ publicKey: p.publicKey, endpoint: p.endpoint ?? null, allowedIps: [...p.allowedIps].sort() }))
    .sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0));
  return `,"dns":${JSON.stringify([...body.dns].sort())},"peers":${JSON.stringify(peers)}}`;
}

/** The text is JSON.stringify({ addresses, dns, peers }) with each list in canonical order. */
export function configHashOf(addresses: string[], tail: string): string {
  return createHash('sha256').update(`{"addresses":${JSON.stringify([...addresses].sort())}`).update(tail).digest('hex');
}

/**
 * Out of date when what it would get now differs from what it was given, or when it could
 * join a network it has no address in yet (a network created since, or one that was full).
 */
export function isStale(lastGivenHash: string | null, currentHash: string, missingNetworks: number): boolean {
  return lastGivenHash !== currentHash || missingNetworks > 0;
}

export const configHashSchemaPattern = /^[0-9a-f]{64}$/;
