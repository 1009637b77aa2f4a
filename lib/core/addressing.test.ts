import { describe, expect, it } from 'vitest';
import {
  cidrSize, deviceBlock, deviceRange, ipAtOffset, nextFreeSlash16, offsetOf, overlaps,
  parseNetworkCidr, peerRange, prefixLength,
} from './addressing';

function messageFor(input: string): string {
  const result = parseNetworkCidr(input);
  if (result.ok) throw new Error(`expected ${input} to be refused`);
  return result.message;
}

describe('parseNetworkCidr', () => {
  it.each([
    ['10.64.0.0/16', '10.64.0.0/16'],
    ['  172.16.0.0/16\n', '172.16.0.0/16'],
    ['192.168.10.0/24', '192.168.10.0/24'],
    ['100.64.0.0/16', '100.64.0.0/16'],
    ['100.127.255.240/28', '100.127.255.240/28'],
    ['10.255.255.0/24', '10.255.255.0/24'],
    ['10.0.0.0/16', '10.0.0.0/16'],
  ])('accepts %j as %s', (input, cidr) => {
    expect(parseNetworkCidr(input)).toEqual({ ok: true, cidr });
  });

  it('accepts every prefix from /16 to /28', () => {
    for (let prefix = 16; prefix <= 28; prefix++) {
      expect(parseNetworkCidr(`10.1.0.0/${prefix}`)).toEqual({ ok: true, cidr: `10.1.0.0/${prefix}` });
    }
  });

  it.each(['8.8.0.0/16', '172.32.0.0/16', '192.169.0.0/16', '100.128.0.0/16', '11.0.0.0/16'])(
    'says %s is a public range',
    (input) => expect(messageFor(input)).toMatch(/a public range/),
  );

  it.each(['10.0.0.0/8', '10.0.0.0/15', '10.0.0.0/29', '10.0.0.0/32', '10.0.0.0/0'])(
    'says the prefix of %s must be /16 to /28',
    (input) => expect(messageFor(input)).toMatch(/between \/16 and \/28/),
  );

  it('suggests the network address when given a host address', () => {
    expect(messageFor('10.64.1.0/16')).toBe('10.64.1.0/16 is not a network address; did you mean 10.64.0.0/16?');
    expect(messageFor('192.168.1.17/28')).toMatch(/did you mean 192\.168\.1\.16\/28\?/);
  });

  it.each([
    ['', /not a CIDR/],
    ['10.64.0.0', /not a CIDR; write it as address\/prefix/],
    ['10.64.0.0/', /not a CIDR/],
    ['10.64.0.0/abc', /not a CIDR/],
    ['10.64.0/16', /not an IPv4 address/],
    ['10.64.0.256/24', /not an IPv4 address/],
    ['010.64.0.0/16', /not an IPv4 address/],
    ['0x0a.64.0.0/16', /not an IPv4 address/],
    ['10.64.0.0/33', /not a valid IPv4 prefix/],
    ['fd00::/64', /IPv6 networks are not supported/],
    ['10.64.0.0/16/16', /not a CIDR/],
    ['10.64.0.0/016', /not a CIDR/],
    ['10.64.0.0 /16', /not a CIDR/],
  ])('explains why %j is malformed', (input, message) => {
    expect(messageFor(input)).toMatch(message);
  });
});

describe('offsets', () => {
  it('maps offsets to addresses and back', () => {
    expect(ipAtOffset('10.64.0.0/16', 0)).toBe('10.64.0.0');
    expect(ipAtOffset('10.64.0.0/16', 1)).toBe('10.64.0.1');
    expect(ipAtOffset('10.64.0.0/16', 256)).toBe('10.64.1.0');
    expect(ipAtOffset('10.64.0.0/16', 65535)).toBe('10.64.255.255');
    expect(offsetOf('10.64.0.0/16', '10.64.255.254')).toBe(65534);
    expect(offsetOf('192.168.1.16/28', '192.168.1.20')).toBe(4);
  });

  it('handles addresses above 128.0.0.0 without sign errors', () => {
    expect(ipAtOffset('192.168.0.0/16', 65535)).toBe('192.168.255.255');
    expect(offsetOf('192.168.0.0/16', '192.168.128.1')).toBe(32769);
  });

  it('round-trips every offset of a small network', () => {
    for (let offset = 0; offset < 16; offset++) {
      expect(offsetOf('172.16.5.32/28', ipAtOffset('172.16.5.32/28', offset))).toBe(offset);
    }
  });

  it('refuses offsets and addresses outside the CIDR', () => {
    expect(() => ipAtOffset('10.64.0.0/16', 65536)).toThrow(RangeError);
    expect(() => ipAtOffset('10.64.0.0/16', -1)).toThrow(RangeError);
    expect(() => ipAtOffset('10.64.0.0/16', 1.5)).toThrow(RangeError);
    expect(() => offsetOf('10.64.0.0/16', '10.65.0.0')).toThrow(/not inside/);
  });

  it('reads prefix length and size', () => {
    expect(prefixLength('10.64.0.0/16')).toBe(16);
    expect(cidrSize('10.64.0.0/16')).toBe(65536);
    expect(cidrSize('10.64.0.0/28')).toBe(16);
  });
});

describe('device block and ranges', () => {
  it.each([
    ['10.64.0.0/16', '10.64.240.0/20', { first: 1, last: 61439 }, { first: 61440, last: 65534 }],
    ['10.64.0.0/20', '10.64.15.0/24', { first: 1, last: 3839 }, { first: 3840, last: 4094 }],
    ['192.168.7.0/24', '192.168.7.240/28', { first: 1, last: 239 }, { first: 240, last: 254 }],
    ['192.168.7.0/25', '192.168.7.96/27', { first: 1, last: 95 }, { first: 96, last: 126 }],
    ['192.168.7.0/26', '192.168.7.48/28', { first: 1, last: 47 }, { first: 48, last: 62 }],
    ['192.168.7.16/28', '192.168.7.28/30', { first: 1, last: 11 }, { first: 12, last: 14 }],
  ])('%s: devices in %s', (cidr, block, peers, devices) => {
    expect(deviceBlock(cidr)).toBe(block);
    expect(peerRange(cidr)).toEqual(peers);
    expect(deviceRange(cidr)).toEqual(devices);
  });

  it('never hands out the network or broadcast address, and keeps peers out of the block', () => {
    for (const cidr of ['10.64.0.0/16', '10.64.0.0/24', '10.64.0.0/25', '10.64.0.0/28']) {
      const peers = peerRange(cidr);
      const devices = deviceRange(cidr);
      expect(peers.first).toBe(1);
      expect(devices.last).toBe(cidrSize(cidr) - 2);
      expect(peers.last + 1).toBe(devices.first);
      expect(ipAtOffset(cidr, devices.first)).toBe(deviceBlock(cidr).split('/')[0]);
      expect(overlaps(deviceBlock(cidr), cidr)).toBe(true);
    }
  });
});

describe('overlaps', () => {
  it.each([
    ['10.64.0.0/16', '10.64.0.0/16', true],
    ['10.64.0.0/16', '10.64.3.0/24', true],
    ['10.64.3.0/24', '10.64.0.0/16', true],
    ['10.0.0.0/8', '10.200.0.0/28', true],
    ['10.64.0.0/16', '10.65.0.0/16', false],
    ['10.64.0.0/24', '10.64.1.0/24', false],
    ['192.168.0.0/16', '10.64.0.0/16', false],
    ['10.64.0.0/16', '10.64.255.255/32', true],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(overlaps(a, b)).toBe(expected);
  });
});

describe('nextFreeSlash16', () => {
  it('starts at the bottom of the default pool', () => {
    expect(nextFreeSlash16(undefined, [])).toBe('10.64.0.0/16');
    expect(nextFreeSlash16('10.64.0.0/10', ['10.64.0.0/16'])).toBe('10.65.0.0/16');
  });

  it('fills gaps first and treats any overlap as taken', () => {
    expect(nextFreeSlash16('10.64.0.0/10', ['10.65.0.0/16', '10.64.7.0/24'])).toBe('10.66.0.0/16');
    expect(nextFreeSlash16('10.64.0.0/10', ['10.65.0.0/16'])).toBe('10.64.0.0/16');
    expect(nextFreeSlash16('10.64.0.0/10', ['10.64.0.0/15', '10.66.255.240/28'])).toBe('10.67.0.0/16');
    expect(nextFreeSlash16('10.64.0.0/10', ['10.0.0.0/9'])).toBeNull();
  });

  it('ignores taken ranges outside the pool', () => {
    expect(nextFreeSlash16('10.64.0.0/10', ['192.168.0.0/16', '10.0.0.0/16'])).toBe('10.64.0.0/16');
  });

  it('returns null when every /16 is taken', () => {
    const all = Array.from({ length: 64 }, (_, i) => `10.${64 + i}.0.0/16`);
    expect(nextFreeSlash16('10.64.0.0/10', all)).toBeNull();
    expect(nextFreeSlash16('10.64.0.0/10', all.slice(0, 63))).toBe('10.127.0.0/16');
  });

  it('uses a pool narrower than /16 as the only candidate', () => {
    expect(nextFreeSlash16('192.168.5.0/24', [])).toBe('192.168.5.0/24');
    expect(nextFreeSlash16('192.168.5.0/24', ['192.168.5.128/25'])).toBeNull();
    expect(nextFreeSlash16('192.168.5.0/24', ['192.168.0.0/16'])).toBeNull();
    expect(nextFreeSlash16('192.168.5.0/24', ['192.168.6.0/24'])).toBe('192.168.5.0/24');
  });

  it('normalizes a pool given with host bits set, and refuses a malformed pool', () => {
    expect(nextFreeSlash16('10.64.9.9/10', [])).toBe('10.64.0.0/16');
    expect(nextFreeSlash16('172.16.0.0/16', [])).toBe('172.16.0.0/16');
    expect(() => nextFreeSlash16('10.64.0.0', [])).toThrow(/not an IPv4 CIDR/);
  });
});
