import { createHash } from 'node:crypto';
import type { ConfigBody } from './types';

/**
 * A fingerprint of what a config says (addresses, peers, DNS), independent of list order.
 * Stored as devices.lastGivenHash when a device is given a config; a different fingerprint
 * now means the config on the device is out of date.
 */
export function configHash(body: ConfigBody): string {
  const canonical = {
    addresses: [...body.addresses].sort(),
    dns: [...body.dns].sort(),
    peers: body.peers
      .map((p) => ({ publicKey: p.publicKey, endpoint: p.endpoint ?? null, allowedIps: [...p.allowedIps].sort() }))
      .sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0)),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * Out of date when what it would get now differs from what it was given, or when it could
 * join a network it has no address in yet (a network created since, or one that was full).
 */
export function isStale(lastGivenHash: string | null, currentHash: string, missingNetworks: number): boolean {
  return lastGivenHash !== currentHash || missingNetworks > 0;
}

export const configHashSchemaPattern = /^[0-9a-f]{64}$/;
