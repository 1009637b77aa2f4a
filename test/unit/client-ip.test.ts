import { describe, expect, it } from 'vitest';
import { clientIp, socketAddressHeader } from '../../lib/server/http/client-ip';

// The address Lease Now opens the firewall to: a client must never be able to choose it.
const req = (socket: string | null, xff?: string) => {
  const h = new Headers();
  if (socket !== null) h.set(socketAddressHeader, socket);
  if (xff !== undefined) h.set('x-forwarded-for', xff);
  return h;
};

describe('clientIp without trusted proxies', () => {
  it('is the socket address', () => {
    expect(clientIp(req('203.0.113.9'), [])).toBe('203.0.113.9');
    expect(clientIp(req('2001:db8::7'), [])).toBe('2001:db8::7');
  });

  it('ignores a spoofed X-Forwarded-For from an untrusted peer', () => {
    expect(clientIp(req('203.0.113.9', '198.51.100.1'), [])).toBe('203.0.113.9');
    expect(clientIp(req('203.0.113.9', '198.51.100.1, 10.0.0.1'), ['10.0.0.0/8'])).toBe('203.0.113.9');
  });

  it('turns an IPv4-mapped IPv6 socket address into the IPv4 address', () => {
    expect(clientIp(req('::ffff:127.0.0.1'), [])).toBe('127.0.0.1');
    expect(clientIp(req('::ffff:203.0.113.9'), [])).toBe('203.0.113.9');
  });

  it('is null when the socket address is missing or unreadable', () => {
    expect(clientIp(req(null), [])).toBeNull();
    expect(clientIp(req(null, '198.51.100.1'), ['0.0.0.0/0'])).toBeNull(); // the header alone proves nothing
    expect(clientIp(req(''), [])).toBeNull();
    expect(clientIp(req('not-an-ip'), [])).toBeNull();
  });
});

describe('clientIp behind trusted proxies', () => {
  it('reads X-Forwarded-For from a trusted proxy, as a CIDR or a single address', () => {
    expect(clientIp(req('10.0.0.5', '198.51.100.1'), ['10.0.0.0/8'])).toBe('198.51.100.1');
    expect(clientIp(req('10.0.0.5', '198.51.100.1'), ['10.0.0.5'])).toBe('198.51.100.1');
    expect(clientIp(req('10.0.0.6', '198.51.100.1'), ['10.0.0.5'])).toBe('10.0.0.6');
  });

  it('walks from the right through trusted hops only, so a client-written left part is never used', () => {
    // The client wrote 1.1.1.1; the outer proxy 10.0.0.2 appended what it saw (198.51.100.1).
    expect(clientIp(req('10.0.0.5', '1.1.1.1, 198.51.100.1, 10.0.0.2'), ['10.0.0.0/8'])).toBe('198.51.100.1');
    expect(clientIp(req('10.0.0.5', '1.1.1.1,198.51.100.1'), ['10.0.0.0/8'])).toBe('198.51.100.1');
  });

  it('stops at the socket when the forwarded value is garbage', () => {
    expect(clientIp(req('10.0.0.5', 'garbage'), ['10.0.0.0/8'])).toBe('10.0.0.5');
    expect(clientIp(req('10.0.0.5', ''), ['10.0.0.0/8'])).toBe('10.0.0.5');
  });

  it('matches IPv4-mapped proxies and clients, and IPv6 proxies', () => {
    expect(clientIp(req('::ffff:10.0.0.5', '::ffff:198.51.100.1'), ['10.0.0.0/8'])).toBe('198.51.100.1');
    expect(clientIp(req('10.0.0.5', '198.51.100.1'), ['::ffff:10.0.0.0/104'])).toBe('198.51.100.1');
    expect(clientIp(req('10.0.0.5', '198.51.100.1'), ['::ffff:10.0.0.5'])).toBe('198.51.100.1'); // as Node prints a socket
    expect(clientIp(req('10.0.0.6', '198.51.100.1'), ['::ffff:10.0.0.5'])).toBe('10.0.0.6');
    expect(clientIp(req('fd00::1', '2001:db8::9'), ['fd00::/8'])).toBe('2001:db8::9');
    expect(clientIp(req('fd00::1', '[2001:db8::9]'), ['fd00::/8'])).toBe('2001:db8::9');
    expect(clientIp(req('2001:db8::1', '198.51.100.1'), ['10.0.0.0/8'])).toBe('2001:db8::1');
  });

  it('ignores a malformed entry in the trusted list rather than trusting everyone', () => {
    expect(clientIp(req('203.0.113.9', '198.51.100.1'), ['nonsense', '10.0.0.0/8'])).toBe('203.0.113.9');
  });
});
