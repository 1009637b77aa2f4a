import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../wireguard/keys';
import { assembleDeviceConfig, networkReach, type HostRow } from './device-config';
import { configHash } from './config-hash';
import { configSets } from './config-sets';
import type { ConfigBody } from './types';

const key = () => generateKeyPair().publicKey;
const host = (ip: string, over: Partial<HostRow> = {}): HostRow => ({ ip, publicKey: key(), endpoint: `${ip}:51820`, isGateway: false, hasAgent: true, ...over });
const netA = { networkId: 'pn-aaaaaaaaaaaa', label: 'a', cidr: '10.64.0.0/16', hosts: [host('10.64.0.10'), host('10.64.0.9'), host('10.64.0.2', { publicKey: null })] };
const netB = { networkId: 'pn-bbbbbbbbbbbb', label: 'b', cidr: '10.65.0.0/16', hosts: [host('10.65.0.1'), host('10.65.0.3', { isGateway: true })] };
const netC = { networkId: 'pn-cccccccccccc', label: 'c', cidr: '10.66.0.0/16', hosts: [] };

/** The fingerprint as it was first defined: stored hashes must keep matching. */
function originalHash(body: ConfigBody): string {
  const canonical = {
    addresses: [...body.addresses].sort(),
    dns: [...body.dns].sort(),
    peers: body.peers
      .map((p) => ({ publicKey: p.publicKey, endpoint: p.endpoint ?? null, allowedIps: [...p.allowedIps].sort() }))
      .sort((a, b) => (a.publicKey < b.publicKey ? -1 : a.publicKey > b.publicKey ? 1 : 0)),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

describe('configSets', () => {
  it('gives each device what assembleDeviceConfig, configHash and networkReach give it alone', () => {
    const configOf = configSets();
    const devices = [
      [{ ...netA, deviceIp: '10.64.255.254' }],
      [{ ...netB, deviceIp: '10.65.255.250' }, { ...netA, deviceIp: '10.64.255.253' }],
      [{ ...netA, deviceIp: '10.64.255.252' }, { ...netB, deviceIp: '10.65.255.251' }], // the same set, other order
      [{ ...netC, deviceIp: '10.66.255.254' }],
      [],
    ];
    for (const nets of devices) {
      const got = configOf(nets);
      const alone = assembleDeviceConfig(nets);
      expect(got.body).toEqual(alone);
      expect(got.hash).toBe(configHash(alone));
      expect(got.hash).toBe(originalHash(alone));
      expect(got.reach).toEqual(nets.map(networkReach));
    }
  });
});
