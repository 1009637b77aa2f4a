import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, requireRoot, requireTools } from '../../../agent/test-support';
import { renderNftables } from '../firewall/nftables';
import { deriveHostConfig } from '../protocol/host-config';
import type { NetworkState } from '../protocol/network-state';
import { networkStateSchema } from '../protocol/network-state';
import { randomState, seededRng } from '../protocol/testing';
import { compileHostPolicy, decide } from './compile';
import type { Policy } from './document';

const base = randomState(seededRng(17), 6, 2);
const [a, b, c] = base.hosts;
const withPolicy = (policy: Policy): NetworkState => ({ ...base, policy });
const rule = (id: string, from: string[], to: string[], protocol: 'tcp' | 'udp' | 'icmp' | 'any', ports: string) => ({ id, from, to, protocol, ports });

const isolated = withPolicy({
  mode: 'isolated',
  rules: [
    rule('pr-pg', [a.ip], [b.ip], 'tcp', '5432'),
    rule('pr-web', [base.deviceBlock, a.ip], [b.ip, c.ip], 'any', '8000-8100'),
    rule('pr-ping', [c.ip], [b.ip], 'icmp', 'any'),
  ],
});

describe('compileHostPolicy', () => {
  it('an open network (or a document without a policy) filters nothing', () => {
    expect(compileHostPolicy(base, b.peerId, false)).toBeNull();
    expect(compileHostPolicy(withPolicy({ mode: 'open', rules: isolated.policy!.rules }), b.peerId, false)).toBeNull();
    expect(deriveHostConfig(base, b.peerId, new Date()).policy).toBeUndefined();
  });

  it('a host gets the rules that target it, and the gateway the rules that let devices in', () => {
    const onB = compileHostPolicy(isolated, b.peerId, false)!;
    expect(onB.input.map((r) => r.id)).toEqual(['pr-pg', 'pr-web', 'pr-ping']);
    expect(onB.forward).toBeNull();
    expect(compileHostPolicy(isolated, a.peerId, false)!.input).toEqual([]);
    const gw = compileHostPolicy(isolated, a.peerId, true)!;
    expect(gw.forward).toEqual([{ id: 'pr-web', sources: [base.deviceBlock], destinations: [b.ip, c.ip], protocol: 'any', ports: '8000-8100' }]);
    expect(networkStateSchema.safeParse(isolated).success).toBe(true);
  });

  it('the gateway forwards between hosts behind NAT what the rules allow between them, and nothing else', () => {
    // a is the gateway (with an endpoint); b and c have none, so they reach each other through a.
    const hosts = base.hosts.map((h) => ({ ...h, gateway: h === a, ...(h === b || h === c ? { endpoint: null } : {}) }));
    const nat = { ...isolated, hosts };
    const gw = compileHostPolicy(nat, a.peerId, true)!;
    expect(gw.forward).toEqual([
      { id: 'pr-web', sources: [base.deviceBlock], destinations: [b.ip, c.ip], protocol: 'any', ports: '8000-8100' },
      { id: 'pr-ping', sources: [c.ip], destinations: [b.ip], protocol: 'icmp', ports: 'any' },
    ]);
    // The same on the real tools' side: c may ping b through the gateway, b may not ping c.
    expect(decide(nat.policy, [c.ip], [b.ip], 'icmp', null).allowed).toBe(true);
    expect(decide(nat.policy, [b.ip], [c.ip], 'icmp', null).allowed).toBe(false);
    // A gateway without an endpoint relays nobody: only the device rule.
    const stuck = { ...nat, hosts: hosts.map((h) => (h === hosts[0] ? { ...h, endpoint: null } : h)) };
    expect(compileHostPolicy(stuck, a.peerId, true)!.forward!.map((r) => r.id)).toEqual(['pr-web']);
    expect(compileHostPolicy(nat, b.peerId, false)!.forward).toBeNull();
  });

  it('grows with the rules, not with the hosts', () => {
    const big = randomState(seededRng(5), 3000, 0);
    const all = big.hosts.map((h) => h.ip);
    const rules = Array.from({ length: 20 }, (_, i) => rule(`pr-r${i}`, all.slice(0, 1500), all, 'tcp', String(1000 + i)));
    const script = renderNftables({ port: 51820, sources: [], leases: [], policy: { interface: 'mp0', ...compileHostPolicy({ ...big, policy: { mode: 'isolated', rules } }, big.hosts[0].peerId, false)! } });
    expect(script.split('\n').filter((l) => l.includes(' accept comment '))).toHaveLength(20);
  });
});

describe('decide', () => {
  it('names the rule that allows, and denies what no rule covers', () => {
    const p = isolated.policy;
    expect(decide(p, [a.ip], [b.ip], 'tcp', 5432)).toMatchObject({ allowed: true, rule: { id: 'pr-pg' } });
    expect(decide(p, [a.ip], [b.ip], 'tcp', 5433)).toEqual({ allowed: false, rule: null, reason: 'no_rule' });
    expect(decide(p, [b.ip], [a.ip], 'tcp', 5432).allowed).toBe(false);
    expect(decide(p, [a.ip], [c.ip], 'udp', 8050)).toMatchObject({ allowed: true, rule: { id: 'pr-web' } });
    expect(decide(p, [base.devices[0].ip], [b.ip], 'tcp', 8100)).toMatchObject({ allowed: true, rule: { id: 'pr-web' } });
    expect(decide(p, [c.ip], [b.ip], 'icmp', null).rule?.id).toBe('pr-ping');
    expect(decide(p, [a.ip, c.ip], [b.ip], 'tcp', 5432).allowed).toBe(false); // every source must be covered
    expect(decide(undefined, [a.ip], [b.ip], 'tcp', 1)).toEqual({ allowed: true, rule: null, reason: 'open' });
  });
});

describe('the rendered policy against the real nft (root, in a namespace of its own)', () => {
  let ns: ReturnType<typeof createNetns> | undefined;
  beforeAll(() => {
    requireRoot();
    requireTools(['nft', 'ip']);
    ns = createNetns('mpw17-pol');
  });
  afterAll(() => ns?.remove());

  it('loads, stateful, with one set per rule, a forward chain only on the gateway', () => {
    const config = deriveHostConfig(isolated, b.peerId, new Date());
    const script = renderNftables({ ...config.firewall, policy: { interface: 'mp0', ...config.policy! } });
    ns!.exec(['nft', '-c', '-f', '-'], script);
    ns!.exec(['nft', '-f', '-'], script);
    const listed = ns!.exec(['nft', 'list', 'table', 'inet', 'meshplane']);
    expect(listed).toContain('iifname "mp0" jump policy_in');
    expect(listed).toContain('ct state established,related accept');
    expect(listed).toMatch(/ip saddr @pin0 tcp dport 5432 accept comment "pr-pg"/);
    expect(listed).toMatch(/ip saddr @pin1 meta l4proto \{ tcp, udp \} th dport 8000-8100 accept/);
    expect(listed).toMatch(/ip saddr @pin2 meta l4proto icmp accept/);
    expect(listed).not.toContain('chain forward');
    const gw = { ...isolated, hosts: isolated.hosts.map((h) => ({ ...h, gateway: h.peerId === a.peerId })) };
    const onGw = deriveHostConfig(gw, a.peerId, new Date());
    const gwScript = renderNftables({ ...onGw.firewall, policy: { interface: 'mp0', ...onGw.policy! } });
    ns!.exec(['nft', '-c', '-f', '-'], gwScript);
    expect(gwScript).toMatch(/ip saddr @pfs0 ip daddr @pfd0 meta l4proto \{ tcp, udp \} th dport 8000-8100 accept/);
    expect(() => renderNftables({ port: 1, sources: [], leases: [], policy: { interface: 'mp0', input: [{ id: 'pr-x"; flush ruleset', sources: [], protocol: 'tcp', ports: 'any' }], forward: null } })).toThrow(/bad rule id/);
  });
});

describe('the policy in deltas', () => {
  it('a delta carries the policy whole, and one without it reopens the network', async () => {
    const { applyDelta, diffStates } = await import('../protocol/diff');
    const next = { ...isolated, version: base.version + 1 };
    expect(applyDelta(base, diffStates(base, next)).policy).toEqual(isolated.policy);
    const reopened = { ...base, version: base.version + 2 };
    expect(applyDelta(next, diffStates(next, reopened)).policy).toBeUndefined();
  });
});
