import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, requireRoot, requireTools } from '../../../agent/test-support';
import { type FirewallInput, nftTable, renderNftables } from './nftables';

// Real-parser proof: every script rendered here goes through `nft -c -f` inside a namespace
// of our own, so the machine's ruleset is never touched (and -c changes nothing anyway).
let ns: ReturnType<typeof createNetns> | undefined;
const rendered: string[] = [];
const render = (input: FirewallInput) => {
  const script = renderNftables(input);
  rendered.push(script);
  return script;
};


const input: FirewallInput = {
  port: 51820,
  sources: ['198.51.100.2/32', '198.51.100.3/32', '10.0.0.0/8', '10.1.2.3/32', '198.51.100.2/32', '2001:db8::/32', '2001:db8::5/128', '192.168.7.9/24'],
  leases: [
    { ip: '203.0.113.9', timeoutSeconds: 86_400 },
    { ip: '203.0.113.9', timeoutSeconds: 60 },
    { ip: '203.0.113.10', timeoutSeconds: 0 },
    { ip: '2001:db8:1::7', timeoutSeconds: 3600 },
  ],
};

describe('renderNftables', () => {
  it('owns only table inet meshplane and filters only UDP to the listen port', () => {
    const s = render(input);
    expect(s.startsWith('table inet meshplane\ndelete table inet meshplane\n')).toBe(true);
    expect(s.match(/^table /gm)).toHaveLength(2);
    expect(s).toContain('type filter hook input priority filter; policy accept;');
    for (const line of s.split('\n').filter((l) => /accept$|drop$/.test(l) && !l.includes('policy'))) {
      expect(line).toMatch(/^ {4}udp dport 51820 /);
    }
    expect(s).toContain('udp dport 51820 drop');
  });

  it('merges overlapping sources (nft refuses conflicting intervals) and keeps the longest lease', () => {
    const s = render(input);
    expect(s).toContain('10.0.0.0/8, 192.168.7.0/24, 198.51.100.2, 198.51.100.3');
    expect(s).not.toContain('10.1.2.3');
    expect(s).toContain('2001:db8::/32\n');
    expect(s).toContain('203.0.113.9 timeout 86400s');
    expect(s).not.toContain('timeout 60s');
    expect(s).not.toContain('203.0.113.10'); // expired: never rendered
    expect(s).toContain('2001:db8:1::7 timeout 3600s');
  });

  it('renders empty sets and a big network', () => {
    render({ port: 41000, sources: [], leases: [] });
    const big = render({
      port: 51820,
      sources: Array.from({ length: 5000 }, (_, i) => `198.51.${100 + (i >> 8)}.${i & 255}/32`),
      leases: [{ ip: '203.0.113.1', timeoutSeconds: 10 }],
    });
    expect(big.split('\n').length).toBeLessThan(5000 / 8 + 40);
    expect(() => renderNftables({ port: 0, sources: [], leases: [] })).toThrow(/port/);
  });

});

describe('renderNftables with the real nft (root, in a namespace of its own)', () => {
  beforeAll(() => {
    requireRoot();
    requireTools(['nft', 'ip']);
    ns = createNetns('mpt-nft');
  });
  afterAll(() => ns?.remove());

  it('every rendered script passes the real parser (nft -c -f)', () => {
    expect(rendered.length).toBeGreaterThanOrEqual(3);
    for (const script of rendered) ns!.exec(['nft', '-c', '-f', '-'], script);
  });

  it('loads into a namespace and lists the lease back with its timeout', () => {
    ns!.exec(['nft', '-f', '-'], renderNftables(input));
    ns!.exec(['nft', '-f', '-'], renderNftables(input)); // reloading replaces, never duplicates
    const listed = ns!.exec(['nft', 'list', 'ruleset']);
    expect(listed.match(/table inet meshplane/g)).toHaveLength(1);
    expect(listed).toMatch(/203\.0\.113\.9 timeout 1d expires 23h59m\d/);
    expect(listed).toMatch(/2001:db8:1::7 timeout 1h expires 59m\d/);
    expect(listed).toContain('udp dport 51820 ip saddr @leases accept');
    ns!.exec(['nft', 'delete', 'table', 'inet', nftTable]);
    expect(ns!.exec(['nft', 'list', 'ruleset'])).not.toContain('meshplane');
  });

  it('guards the private IP: dropped unless it came in on the WireGuard interface or loopback', () => {
    ns!.exec(['nft', '-f', '-'], renderNftables({ ...input, guard: { ip: '10.64.0.2', interface: 'mp0' } }));
    expect(ns!.exec(['nft', 'list', 'chain', 'inet', 'meshplane', 'input'])).toMatch(/ip daddr 10\.64\.0\.2 iifname != \{ "lo", "mp0" \} drop/);
    expect(() => renderNftables({ ...input, guard: { ip: '10.64.0.2', interface: 'mp0"; flush ruleset; "' } })).toThrow(/bad guard/);
    ns!.exec(['nft', 'delete', 'table', 'inet', nftTable]);
  });
});
