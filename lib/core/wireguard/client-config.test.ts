import { describe, expect, it } from 'vitest';
import { configFileName, renderClientConfig } from './client-config';

const privateKey = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
const hostKey = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
const gatewayKey = 'TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=';

describe('renderClientConfig', () => {
  it('writes a standard wg-quick config', () => {
    const text = renderClientConfig({
      privateKey,
      addresses: ['10.64.255.254/16', '10.65.255.254/16'],
      dns: ['10.64.0.1'],
      peers: [
        { publicKey: gatewayKey, endpoint: 'gw.example.com:51820', allowedIps: ['10.64.0.0/16'] },
        { publicKey: hostKey, endpoint: null, allowedIps: ['10.65.0.0/16', '10.66.0.1/32'] },
      ],
    });
    expect(text).toBe(`[Interface]
PrivateKey = ${privateKey}
Address = 10.64.255.254/16, 10.65.255.254/16
DNS = 10.64.0.1

[Peer]
PublicKey = ${gatewayKey}
Endpoint = gw.example.com:51820
AllowedIPs = 10.64.0.0/16
PersistentKeepalive = 25

[Peer]
PublicKey = ${hostKey}
AllowedIPs = 10.65.0.0/16, 10.66.0.1/32
PersistentKeepalive = 25
`);
  });

  it('leaves out empty lists and accepts IPv6 endpoints', () => {
    const text = renderClientConfig({
      privateKey, addresses: [], dns: [],
      peers: [{ publicKey: hostKey, endpoint: '[2001:db8::1]:51820', allowedIps: [] }],
    });
    expect(text).not.toMatch(/Address|DNS|AllowedIPs/);
    expect(text).toMatch(/^Endpoint = \[2001:db8::1\]:51820$/m);
  });

  it('refuses malformed keys', () => {
    expect(() => renderClientConfig({ privateKey: 'nope', addresses: [], dns: [], peers: [] })).toThrow(/Not a WireGuard key/);
    expect(() => renderClientConfig({
      privateKey, addresses: [], dns: [], peers: [{ publicKey: 'x', endpoint: null, allowedIps: [] }],
    })).toThrow(/Not a WireGuard key/);
  });

  it.each([
    ['an endpoint', { endpoint: 'h:1\nPostUp = rm -rf /' }],
    ['an allowed IP', { allowedIps: ['10.0.0.0/8\n[Interface]'] }],
    ['a comment', { endpoint: 'h:1 # x' }],
  ])('refuses %s that would smuggle lines into the config', (_, change) => {
    const peer = { publicKey: hostKey, endpoint: null, allowedIps: ['10.64.0.0/16'], ...change };
    expect(() => renderClientConfig({ privateKey, addresses: [], dns: [], peers: [peer] })).toThrow(/Unsafe value/);
  });

  it('refuses an unsafe DNS server or address', () => {
    expect(() => renderClientConfig({ privateKey, addresses: ['10.64.0.2/16'], dns: ['1.1.1.1; reboot'], peers: [] }))
      .toThrow(/Unsafe value/);
    expect(() => renderClientConfig({ privateKey, addresses: ['10.64.0.2/16=x'], dns: [], peers: [] }))
      .toThrow(/Unsafe value/);
  });
});

describe('renderClientConfig with a listen port', () => {
  it('puts ListenPort right after PrivateKey', () => {
    const text = renderClientConfig({ privateKey, addresses: ['10.64.0.5/16'], dns: [], peers: [], listenPort: 51999 });
    expect(text).toBe(`[Interface]\nPrivateKey = ${privateKey}\nListenPort = 51999\nAddress = 10.64.0.5/16\n`);
  });

  it.each([0, 65536, 1.5, NaN])('refuses port %s', (listenPort) => {
    expect(() => renderClientConfig({ privateKey, addresses: [], dns: [], peers: [], listenPort })).toThrow(/Bad listen port/);
  });
});

describe('configFileName', () => {
  it.each([
    ['laptop', 'mp-laptop.conf'],
    ['Dana ThinkPad X1 Carbon', 'mp-dana-thinkpa.conf'],
    ['café / phone', 'mp-cafe-phone.conf'],
    ['---', 'mp-device.conf'],
    ['', 'mp-device.conf'],
  ])('names %j %s', (name, file) => {
    expect(configFileName(name)).toBe(file);
  });

  it('always gives a valid interface name (what wg-quick takes from the file name)', () => {
    for (const name of ['a'.repeat(60), 'x-'.repeat(20), 'ü'.repeat(20), 'db.primary.eu-west', '  spaced  out  ']) {
      expect(configFileName(name)).toMatch(/^[a-zA-Z0-9_=+.-]{1,15}\.conf$/);
      expect(configFileName(name)).not.toMatch(/[-.]\.conf$/);
    }
  });
});
