import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../wireguard/keys';
import { assembleDeviceConfig, networkDns, networkReach, type DeviceNetwork, type HostRow } from './device-config';
import { configHash, isStale } from './config-hash';
import { renderDeviceConfig } from './render';

const key = () => generateKeyPair().publicKey;
const host = (ip: string, over: Partial<HostRow> = {}): HostRow => ({ ip, publicKey: key(), endpoint: `${ip}:51820`, isGateway: false, hasAgent: true, ...over });

const a: DeviceNetwork = { networkId: 'pn-aaaaaaaaaaaa', cidr: '10.64.0.0/16', deviceIp: '10.64.255.254', hosts: [host('10.64.0.10'), host('10.64.0.9'), host('10.64.0.2', { publicKey: null })] };
const gw = host('10.65.0.3', { isGateway: true, endpoint: 'gw.example.com:51820' });
const b: DeviceNetwork = { networkId: 'pn-bbbbbbbbbbbb', cidr: '10.65.0.0/16', deviceIp: '10.65.255.254', hosts: [host('10.65.0.1'), gw] };

describe('assembleDeviceConfig', () => {
  it('lists every enrolled host with its /32 where there is no gateway, in address order', () => {
    const body = assembleDeviceConfig([a]);
    expect(body.addresses).toEqual(['10.64.255.254/32']);
    expect(body.peers.map((p) => p.allowedIps)).toEqual([['10.64.0.9/32'], ['10.64.0.10/32']]);
    expect(body.peers[0].endpoint).toBe('10.64.0.9:51820');
    expect(body.dns).toEqual(['10.64.0.9']);
  });

  it('lists only the gateway, with the whole CIDR, where the network has an enrolled one', () => {
    const body = assembleDeviceConfig([b, a]);
    expect(body.addresses).toEqual(['10.64.255.254/32', '10.65.255.254/32']);
    expect(body.peers.slice(2)).toEqual([{ publicKey: gw.publicKey, endpoint: 'gw.example.com:51820', allowedIps: ['10.65.0.0/16'] }]);
    expect(body.dns).toEqual(['10.64.0.9', '10.65.0.3']);
  });

  it('ignores a gateway that has not enrolled yet', () => {
    const pending = { ...b, hosts: [host('10.65.0.1'), host('10.65.0.3', { isGateway: true, publicKey: null })] };
    expect(assembleDeviceConfig([pending]).peers.map((p) => p.allowedIps)).toEqual([['10.65.0.1/32']]);
  });

  it('points DNS only at hosts running the agent, and leaves it out where none does', () => {
    expect(networkDns({ ...a, hosts: [host('10.64.0.5', { hasAgent: false }), host('10.64.0.7')] })).toBe('10.64.0.7');
    expect(assembleDeviceConfig([{ ...a, hosts: [host('10.64.0.5', { hasAgent: false })] }]).dns).toEqual([]);
  });

  it('renders, with the private key added in the browser, a wg-quick config', () => {
    const pair = generateKeyPair();
    const text = renderDeviceConfig(assembleDeviceConfig([b]), pair.privateKey);
    expect(text).toBe(`[Interface]\nPrivateKey = ${pair.privateKey}\nAddress = 10.65.255.254/32\nDNS = 10.65.0.3\n\n[Peer]\nPublicKey = ${gw.publicKey}\nEndpoint = gw.example.com:51820\nAllowedIPs = 10.65.0.0/16\nPersistentKeepalive = 25\n`);
  });
});

describe('configHash and staleness', () => {
  const body = assembleDeviceConfig([a, b]);

  it('does not depend on list order', () => {
    const shuffled = { addresses: [...body.addresses].reverse(), dns: [...body.dns].reverse(), peers: [...body.peers].reverse() };
    expect(configHash(shuffled)).toBe(configHash(body));
    expect(configHash(body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a host enrols, an endpoint moves or an address changes', () => {
    const given = configHash(body);
    expect(configHash(assembleDeviceConfig([{ ...a, hosts: [...a.hosts, host('10.64.0.20')] }, b]))).not.toBe(given);
    expect(configHash({ ...body, peers: body.peers.map((p, i) => (i === 0 ? { ...p, endpoint: '198.51.100.1:51820' } : p)) })).not.toBe(given);
    expect(configHash(assembleDeviceConfig([a]))).not.toBe(given);
    // A host that is added but has not enrolled is not in any config yet.
    expect(configHash(assembleDeviceConfig([{ ...a, hosts: [...a.hosts, host('10.64.0.30', { publicKey: null })] }, b]))).toBe(given);
  });

  it('is stale when the hash differs, when nothing was recorded, or when a network is missing', () => {
    const h = configHash(body);
    expect(isStale(h, h, 0)).toBe(false);
    expect(isStale(h, configHash(assembleDeviceConfig([a])), 0)).toBe(true);
    expect(isStale(null, h, 0)).toBe(true);
    expect(isStale(h, h, 1)).toBe(true);
  });
});

describe('networkReach', () => {
  const base = { networkId: 'pn-000000000001', label: 'prod', cidr: '10.64.0.0/16', deviceIp: '10.64.255.254' };
  const host = (over: Partial<HostRow>): HostRow => ({ ip: '10.64.0.1', publicKey: 'K'.repeat(43) + '=', endpoint: '203.0.113.7:51820', isGateway: false, hasAgent: true, ...over });

  it('reaches nothing without an enrolled host, and says to enrol one', () => {
    const r = networkReach({ ...base, hosts: [host({ publicKey: null })] });
    expect(r).toMatchObject({ networkId: base.networkId, networkLabel: 'prod', reachable: false });
    expect(r.reason).toContain('must enrol a host');
  });

  it('reaches nothing through a gateway without an endpoint, nor hosts without any', () => {
    expect(networkReach({ ...base, hosts: [host({ isGateway: true, endpoint: null }), host({ ip: '10.64.0.2' })] }).reason).toContain('gateway of prod (10.64.0.1) has no endpoint');
    expect(networkReach({ ...base, hosts: [host({ endpoint: null })] }).reachable).toBe(false);
  });

  it('is reachable through a gateway or any host with an endpoint', () => {
    expect(networkReach({ ...base, hosts: [host({ isGateway: true })] })).toMatchObject({ reachable: true, reason: null });
    expect(networkReach({ ...base, hosts: [host({ endpoint: null }), host({ ip: '10.64.0.2' })] }).reachable).toBe(true);
  });
});
