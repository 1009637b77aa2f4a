import { describe, expect, it } from 'vitest';
import { NotInNetworkError, deriveHostConfig, hostPeersOf } from './host-config';
import type { HostEntry, NetworkState } from './network-state';

const key = (c: string) => `${c.repeat(42)}A=`;
const host = (n: number, extra: Partial<HostEntry> = {}): HostEntry => ({
  peerId: `pe-host${String(n).padStart(8, '0')}`, memberId: 'ap-app000000001', kind: 'application',
  process: 'web', number: n, ip: `10.64.0.${n + 1}`, publicKey: key(String.fromCharCode(65 + n)),
  endpoint: `198.51.100.${n}:51820`, gateway: false,
  names: [`${n}.web.ap-app000000001.pn-net000000001.mesh.internal`, 'ap-app000000001.pn-net000000001.mesh.internal'],
  ...extra,
});
const now = new Date('2030-01-01T00:00:00Z');
const base = (hosts: HostEntry[]): NetworkState => ({
  networkId: 'pn-net000000001', version: 4, cidr: '10.64.0.0/16', listenPort: 51820, zone: 'mesh.internal',
  deviceBlock: '10.64.240.0/20', hosts,
  devices: [{ id: 'dv-dev000000001', publicKey: key('z'), ip: '10.64.255.254', name: 'phone.ann.dev.pn-net000000001.mesh.internal' }],
  allow: {
    rules: ['203.0.113.0/24'],
    leases: [
      { ip: '192.0.2.10', expiresAt: '2030-01-01T00:00:10.200Z' },
      { ip: '192.0.2.11', expiresAt: '2030-01-01T00:00:00.000Z' }, // expires exactly now: gone
    ],
  },
});

describe('deriveHostConfig', () => {
  it('without a gateway: every enrolled host and every device is a /32 peer', () => {
    const s = base([host(1), host(2), host(3, { publicKey: null, endpoint: null })]);
    const c = deriveHostConfig(s, host(1).peerId, now);
    expect(c.address).toBe('10.64.0.2/16');
    expect(c.forward).toBe(false);
    expect(c.peers).toEqual([
      { publicKey: key('C'), endpoint: '198.51.100.2:51820', allowedIps: ['10.64.0.3/32'] },
      { publicKey: key('z'), endpoint: null, allowedIps: ['10.64.255.254/32'] },
    ]);
    expect(c.firewall).toEqual({ port: 51820, sources: ['198.51.100.2/32', '203.0.113.0/24'], leases: [{ ip: '192.0.2.10', timeoutSeconds: 11 }] });
  });

  it('with a gateway: only the gateway lists devices; others route the device block to it', () => {
    const s = base([host(1), host(2, { gateway: true }), host(3)]);
    const gw = deriveHostConfig(s, host(2).peerId, now);
    expect(gw.forward).toBe(true);
    expect(gw.peers.map((p) => p.allowedIps)).toEqual([['10.64.0.2/32'], ['10.64.0.4/32'], ['10.64.255.254/32']]);
    const other = deriveHostConfig(s, host(1).peerId, now);
    expect(other.forward).toBe(false);
    expect(other.peers).toEqual([
      { publicKey: key('C'), endpoint: '198.51.100.2:51820', allowedIps: ['10.64.0.3/32', '10.64.240.0/20'] },
      { publicKey: key('D'), endpoint: '198.51.100.3:51820', allowedIps: ['10.64.0.4/32'] },
    ]);
  });

  it('an unenrolled gateway does not count: hosts list devices themselves', () => {
    const s = base([host(1), host(2, { gateway: true, publicKey: null })]);
    expect(deriveHostConfig(s, host(1).peerId, now).peers.map((p) => p.publicKey)).toEqual([key('z')]);
  });

  it('names resolve for every host, enrolled or not; a group name collects its instances', () => {
    const s = base([host(1), host(2, { publicKey: null, endpoint: null })]);
    const c = deriveHostConfig(s, host(1).peerId, now);
    expect(c.dns.zone).toBe('mesh.internal');
    expect(c.dns.records).toEqual([
      { name: '1.web.ap-app000000001.pn-net000000001.mesh.internal', ips: ['10.64.0.2'] },
      { name: '2.web.ap-app000000001.pn-net000000001.mesh.internal', ips: ['10.64.0.3'] },
      { name: 'ap-app000000001.pn-net000000001.mesh.internal', ips: ['10.64.0.2', '10.64.0.3'] },
      { name: 'phone.ann.dev.pn-net000000001.mesh.internal', ips: ['10.64.255.254'] },
    ]);
    // A name a host lists twice still answers its address once.
    const twice = base([host(1, { names: [...host(1).names, host(1).names[1]] })]);
    expect(deriveHostConfig(twice, host(1).peerId, now).dns.records.find((r) => r.name === host(1).names[1])?.ips).toEqual(['10.64.0.2']);
    expect(c.env).toEqual({
      MESHPLANE_NETWORK_ID: 'pn-net000000001', MESHPLANE_MEMBER_ID: 'ap-app000000001',
      MESHPLANE_PRIVATE_IP: '10.64.0.2', MESHPLANE_PRIVATE_HOSTNAME: '1.web.ap-app000000001.pn-net000000001.mesh.internal',
    });
  });

  it('a host absent from the document is refused', () => {
    expect(() => deriveHostConfig(base([host(1)]), 'pe-nothere00000', now)).toThrow(NotInNetworkError);
  });

  it('an endpoint given as a name is not a firewall source (it cannot be matched by address)', () => {
    const s = base([host(1), host(2, { endpoint: 'db.example.com:51820' }), host(3, { endpoint: '[2001:db8::3]:51820' })]);
    expect(deriveHostConfig(s, host(1).peerId, now).firewall.sources).toEqual(['2001:db8::3/128', '203.0.113.0/24']);
  });
});

describe('hostPeersOf', () => {
  it('keeps input order and each ip, so callers sort as they list', () => {
    const s = base([host(3), host(1, { gateway: true }), host(2)]);
    const r = hostPeersOf(s.hosts, s.devices, s.deviceBlock, host(2).peerId);
    expect(r.gateway).toBe(s.hosts[1]);
    expect(r.hosts.map((p) => [p.ip, p.allowedIps])).toEqual([['10.64.0.4', ['10.64.0.4/32']], ['10.64.0.2', ['10.64.0.2/32', '10.64.240.0/20']]]);
    expect(r.devices).toEqual([]);
    expect(hostPeersOf(s.hosts, s.devices, s.deviceBlock, host(1).peerId).devices).toEqual([
      { publicKey: key('z'), endpoint: null, allowedIps: ['10.64.255.254/32'], ip: '10.64.255.254' },
    ]);
  });
});
