import { describe, expect, it } from 'vitest';
import { addressCount, isBroad, leaseCreateSchema, parseLeaseIp, parseRuleCidr, ruleCreateSchema } from './schemas';
import { coverageOf } from '../../server/firewall/allow-list';

describe('parseRuleCidr', () => {
  it('normalizes to the network address and one spelling', () => {
    expect(parseRuleCidr(' 203.0.113.7/24 ')).toEqual({ cidr: '203.0.113.0/24', kind: 'ipv4', bits: 24 });
    expect(parseRuleCidr('192.0.2.55')).toEqual({ cidr: '192.0.2.55/32', kind: 'ipv4', bits: 32 });
    expect(parseRuleCidr('2001:DB8:0:0::1/48')).toEqual({ cidr: '2001:db8::/48', kind: 'ipv6', bits: 48 });
    expect(parseRuleCidr('2001:db8::9')?.cidr).toBe('2001:db8::9/128');
    expect(parseRuleCidr('0.0.0.0/0')?.cidr).toBe('0.0.0.0/0');
  });

  it('reads IPv4-mapped IPv6 as the IPv4 prefix it carries', () => {
    expect(parseRuleCidr('::ffff:198.51.100.15')).toEqual({ cidr: '198.51.100.15/32', kind: 'ipv4', bits: 32 });
    expect(parseRuleCidr('::FFFF:c633:640f/128')).toEqual({ cidr: '198.51.100.15/32', kind: 'ipv4', bits: 32 });
    expect(parseRuleCidr('::ffff:198.51.100.77/120')).toEqual({ cidr: '198.51.100.0/24', kind: 'ipv4', bits: 24 });
    expect(parseRuleCidr('::ffff:0:0/80')?.kind).toBe('ipv6'); // wider than the mapped block: IPv6 proper
  });

  it('refuses what is not a CIDR, including forms ipaddr.js would read surprisingly', () => {
    for (const bad of ['', 'abc', '10.1/8', '10.0.0/8', '010.0.0.1/8', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8',
      '2001:db8::/129', 'fe80::1%eth0/64', '10.0.0.0 /8', '1e1.0.0.0/8']) {
      expect(parseRuleCidr(bad), bad).toBeNull();
    }
  });

  it('calls a rule broad below /8 (IPv4) and /32 (IPv6)', () => {
    expect(isBroad(parseRuleCidr('10.0.0.0/8')!)).toBe(false);
    expect(isBroad(parseRuleCidr('10.0.0.0/7')!)).toBe(true);
    expect(isBroad(parseRuleCidr('2001:db8::/32')!)).toBe(false);
    expect(isBroad(parseRuleCidr('2001:db8::/31')!)).toBe(true);
    expect(addressCount({ kind: 'ipv4', bits: 6 })).toBe('67,108,864');
    expect(addressCount({ kind: 'ipv6', bits: 31 })).toBe('2^97');
  });
});

describe('input schemas', () => {
  it('reads form checkboxes and JSON booleans alike', () => {
    expect(ruleCreateSchema.parse({ cidr: '10.0.0.0/7', confirmBroad: 'on' }).confirmBroad).toBe(true);
    expect(ruleCreateSchema.parse({ cidr: '10.0.0.0/7', confirmBroad: true }).confirmBroad).toBe(true);
    expect(ruleCreateSchema.parse({ cidr: '10.0.0.0/7' })).toMatchObject({ confirmBroad: false, note: '' });
    expect(ruleCreateSchema.safeParse({ cidr: '10.0.0.0/7', confirmBroad: 'yes please' }).success).toBe(false);
    expect(ruleCreateSchema.safeParse({ cidr: 'nope' }).error?.issues[0].path).toEqual(['cidr']);
  });

  it('takes a lease IP as one address; blank means the caller\'s own', () => {
    expect(leaseCreateSchema.parse({ ip: '' }).ip).toBeUndefined();
    expect(leaseCreateSchema.parse({}).ip).toBeUndefined();
    expect(leaseCreateSchema.parse({ ip: '::ffff:203.0.113.9' }).ip).toBe('203.0.113.9');
    expect(leaseCreateSchema.safeParse({ ip: '203.0.113.0/24' }).success).toBe(false);
    expect(parseLeaseIp('2001:DB8::7')).toBe('2001:db8::7');
    expect(parseLeaseIp('300.1.1.1')).toBeNull();
  });

  it('refuses sources that open nothing, with a message; 0.0.0.0/0 and ::/0 stay (broad, confirmed)', () => {
    const ruleError = (cidr: string) => ruleCreateSchema.safeParse({ cidr, confirmBroad: true }).error?.issues[0].message ?? null;
    expect(ruleError('0.0.0.0')).toBe('"0.0.0.0" is an unspecified address: no WireGuard traffic comes from there, so this rule would open nothing.');
    expect(ruleError('::')).toMatch(/is an unspecified address/);
    expect(ruleError('255.255.255.255')).toMatch(/is the broadcast address/);
    expect(ruleError('224.0.0.0/4')).toMatch(/is a multicast address/);
    expect(ruleError('ff02::1')).toMatch(/is a multicast address/);
    expect(ruleError('127.0.0.1/8')).toMatch(/is a loopback address/);
    expect(ruleError('::ffff:127.0.0.1')).toMatch(/is a loopback address/);
    expect(ruleError('0.0.0.0/0')).toBeNull();
    expect(ruleError('::/0')).toBeNull();
    expect(ruleError('192.0.0.0/2')).toBeNull(); // holds multicast, but more than it
    const leaseError = (ip: string) => leaseCreateSchema.safeParse({ ip }).error?.issues[0].message ?? null;
    for (const ip of ['0.0.0.0', '::', '255.255.255.255', '239.1.2.3', 'ff05::2', '127.0.0.53', '::1', '::ffff:255.255.255.255']) {
      expect(leaseError(ip), ip).toMatch(/no WireGuard traffic comes from there, so a lease of it would open nothing\.$/);
    }
    expect(leaseError('203.0.113.7')).toBeNull();
  });
});

describe('coverageOf', () => {
  const leases = [{ id: 'ls-1', ip: '203.0.113.9', expiresAt: new Date(0) }];
  const rules = [{ cidr: '198.51.100.0/24' }, { cidr: '2001:db8::/32' }];
  it('prefers a lease of the exact address, then a rule that holds it', () => {
    expect(coverageOf('203.0.113.9', rules, leases)).toMatchObject({ by: 'lease', leaseId: 'ls-1' });
    expect(coverageOf('::ffff:198.51.100.4', rules, leases)).toEqual({ by: 'rule', cidr: '198.51.100.0/24' });
    expect(coverageOf('2001:db8:1::1', rules, leases)).toEqual({ by: 'rule', cidr: '2001:db8::/32' });
    expect(coverageOf('203.0.113.10', rules, leases)).toBeNull();
    expect(coverageOf(null, rules, leases)).toBeNull();
  });
});
