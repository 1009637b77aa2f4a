import { describe, expect, it } from 'vitest';
import { renderWgHostConf, wgSetArgs } from './wg-host-conf';

const k = (c: string) => `${c.repeat(42)}A=`;

describe('renderWgHostConf', () => {
  it('renders wg(8) syncconf text with the private key merged in', () => {
    const text = renderWgHostConf({ listenPort: 51820, peers: [
      { publicKey: k('B'), endpoint: '198.51.100.2:51820', allowedIps: ['10.64.0.3/32', '10.64.240.0/20'] },
      { publicKey: k('C'), endpoint: null, allowedIps: ['10.64.255.254/32'] },
    ] }, k('P'));
    expect(text).toBe([
      '[Interface]', `PrivateKey = ${k('P')}`, 'ListenPort = 51820', '',
      '[Peer]', `PublicKey = ${k('B')}`, 'AllowedIPs = 10.64.0.3/32, 10.64.240.0/20', 'Endpoint = 198.51.100.2:51820', '',
      '[Peer]', `PublicKey = ${k('C')}`, 'AllowedIPs = 10.64.255.254/32', '',
    ].join('\n'));
  });
});

describe('wgSetArgs', () => {
  const a = { publicKey: k('A'), endpoint: '198.51.100.1:51820', allowedIps: ['10.64.0.2/32'] };
  const b = { publicKey: k('B'), endpoint: null, allowedIps: ['10.64.0.3/32'] };
  it('removes, adds and changes peers; nothing for no change', () => {
    expect(wgSetArgs([a, b], [a, b])).toEqual([]);
    expect(wgSetArgs([a], [b])).toEqual([['peer', k('A'), 'remove', 'peer', k('B'), 'allowed-ips', '10.64.0.3/32']]);
    expect(wgSetArgs([a], [{ ...a, allowedIps: ['10.64.0.2/32', '10.64.240.0/20'] }], 51821)).toEqual([
      ['listen-port', '51821', 'peer', k('A'), 'allowed-ips', '10.64.0.2/32,10.64.240.0/20', 'endpoint', '198.51.100.1:51820'],
    ]);
  });
  it('re-adds a peer that lost its endpoint in a second call', () => {
    expect(wgSetArgs([a], [{ ...a, endpoint: null }])).toEqual([
      ['peer', k('A'), 'remove'], ['peer', k('A'), 'allowed-ips', '10.64.0.2/32'],
    ]);
  });
  it('splits large changes into several calls', () => {
    const many = Array.from({ length: 450 }, (_, i) => ({ ...b, publicKey: `${String(i).padStart(42, 'x')}A=` }));
    expect(wgSetArgs([], many).map((c) => c.length / 4)).toEqual([200, 200, 50]);
  });
});

describe('persistent keepalive (a host behind NAT dials out)', () => {
  const gw = { publicKey: k('G'), endpoint: '198.51.100.1:51820', allowedIps: ['10.64.0.2/32'], persistentKeepalive: 25 };
  it('is rendered for syncconf', () => {
    expect(renderWgHostConf({ listenPort: 51820, peers: [gw] }, k('P'))).toContain(
      ['[Peer]', `PublicKey = ${k('G')}`, 'AllowedIPs = 10.64.0.2/32', 'Endpoint = 198.51.100.1:51820', 'PersistentKeepalive = 25'].join('\n'));
    expect(() => renderWgHostConf({ listenPort: 51820, peers: [{ ...gw, persistentKeepalive: 0.5 }] }, k('P'))).toThrow(/keepalive/);
  });
  it('is a change: set when it comes, turned off when it goes, nothing when it stays', () => {
    const plain = { ...gw, persistentKeepalive: undefined };
    expect(wgSetArgs([plain], [gw])).toEqual([['peer', k('G'), 'allowed-ips', '10.64.0.2/32', 'endpoint', '198.51.100.1:51820', 'persistent-keepalive', '25']]);
    expect(wgSetArgs([gw], [plain])).toEqual([['peer', k('G'), 'allowed-ips', '10.64.0.2/32', 'endpoint', '198.51.100.1:51820', 'persistent-keepalive', 'off']]);
    expect(wgSetArgs([gw], [{ ...gw }])).toEqual([]);
  });
});
