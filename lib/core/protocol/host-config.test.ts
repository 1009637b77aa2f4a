import { describe, expect, it } from 'vitest';
import { NotInNetworkError, deriveHostConfig, hostPeersOf } from './host-config';
import { reachOf } from './reach';
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

describe('hosts behind NAT (no endpoint)', () => {
  // 1 is the gateway with an endpoint; 2 and 3 are behind NAT; 4 has an endpoint.
  const nat = (n: number, seenFrom?: string) => host(n, { endpoint: null, ...(seenFrom ? { seenFrom } : {}) });
  const s = base([host(1, { gateway: true }), nat(2, '192.0.2.2'), nat(3, '192.0.2.3'), host(4)]);
  const peersOf = (n: number, state = s) => deriveHostConfig(state, host(n).peerId, now).peers;

  it('a host without an endpoint dials every host that has one, with a keepalive', () => {
    expect(peersOf(2)).toEqual([
      { publicKey: key('B'), endpoint: '198.51.100.1:51820', allowedIps: ['10.64.0.2/32', '10.64.240.0/20', '10.64.0.4/32'], persistentKeepalive: 25 },
      { publicKey: key('E'), endpoint: '198.51.100.4:51820', allowedIps: ['10.64.0.5/32'], persistentKeepalive: 25 },
    ]);
  });

  it('hosts with an endpoint list it without endpoint or keepalive; the gateway lists everyone', () => {
    expect(peersOf(4)).toEqual([
      { publicKey: key('B'), endpoint: '198.51.100.1:51820', allowedIps: ['10.64.0.2/32', '10.64.240.0/20'] },
      { publicKey: key('C'), endpoint: null, allowedIps: ['10.64.0.3/32'] },
      { publicKey: key('D'), endpoint: null, allowedIps: ['10.64.0.4/32'] },
    ]);
    expect(peersOf(1).map((p) => [p.allowedIps, p.persistentKeepalive])).toEqual([
      [['10.64.0.3/32'], undefined], [['10.64.0.4/32'], undefined], [['10.64.0.5/32'], undefined], [['10.64.255.254/32'], undefined],
    ]);
  });

  it('two hosts without endpoints reach each other through the gateway only when it has an endpoint', () => {
    // (3's view mirrors 2's: 2's /32 on the gateway)
    expect(peersOf(3).find((p) => p.publicKey === key('B'))?.allowedIps).toEqual(['10.64.0.2/32', '10.64.240.0/20', '10.64.0.3/32']);
    const noRelay = base([host(1, { gateway: true, endpoint: null }), nat(2), nat(3), host(4)]);
    expect(peersOf(2, noRelay).map((p) => p.publicKey)).toEqual([key('E')]); // the NAT'd gateway and 3: unreachable
    const noGateway = base([nat(2), nat(3), host(4)]);
    expect(peersOf(2, noGateway).map((p) => p.publicKey)).toEqual([key('E'), key('z')]);
  });

  it('hosts with an endpoint admit the address a NAT\'d host was seen at; NAT\'d hosts admit only endpoints', () => {
    const fw = (n: number) => deriveHostConfig(s, host(n).peerId, now).firewall.sources;
    expect(fw(1)).toEqual(['192.0.2.2/32', '192.0.2.3/32', '198.51.100.4/32', '203.0.113.0/24']);
    expect(fw(4)).toEqual(['198.51.100.1/32', '192.0.2.2/32', '192.0.2.3/32', '203.0.113.0/24']);
    expect(fw(2)).toEqual(['198.51.100.1/32', '198.51.100.4/32', '203.0.113.0/24']);
    const v6 = base([host(1), host(2, { endpoint: null, seenFrom: '2001:db8::2' })]);
    expect(deriveHostConfig(v6, host(1).peerId, now).firewall.sources).toEqual(['2001:db8::2/128', '203.0.113.0/24']);
  });
});

describe('reachOf (the peer page)', () => {
  it('sorts the other enrolled hosts into direct, through the gateway, and unreachable', () => {
    const hosts = [host(1, { gateway: true }), host(2, { endpoint: null }), host(3, { endpoint: null }), host(4), host(5, { publicKey: null })];
    const r = reachOf(hosts, host(2).peerId);
    expect([r.direct, r.viaGateway, r.unreachable].map((l) => l.map((h) => h.number))).toEqual([[1, 4], [3], []]);
    expect(r.relay).toBe(hosts[0]);
    const fromGateway = reachOf(hosts, host(1).peerId);
    expect(fromGateway.direct.map((h) => h.number)).toEqual([2, 3, 4]);
    const stuck = reachOf([host(1, { gateway: true, endpoint: null }), host(2, { endpoint: null }), host(3, { endpoint: null })], host(2).peerId);
    expect([stuck.relay, stuck.direct.length, stuck.unreachable.map((h) => h.number)]).toEqual([undefined, 0, [1, 3]]);
  });
});
