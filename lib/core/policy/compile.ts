import ipaddr from 'ipaddr.js';
import type { NetworkState } from '../protocol/network-state';
import { type Policy, type PolicyProtocol, type PolicyRuleEntry, parsePorts } from './document';
import { relayedBy } from '../protocol/reach';

/*
 * What one host must accept, from the network document alone. Pure and shared: the agent
 * renders it into nft (lib/core/firewall/nftables.ts), the control plane answers "can X reach Y"
 * with `decide` over the same document, so the page and the hosts cannot disagree.
 * A host's compiled policy has one entry per rule that concerns it, never one per host:
 * the addresses stay in the sets.
 */

export type CompiledRule = { id: string; sources: string[]; protocol: PolicyProtocol; ports: string };
export type ForwardRule = CompiledRule & { destinations: string[] };
/** null: the network is open, nothing is filtered between members. `forward` only on the gateway. */
export type HostPolicy = { input: CompiledRule[]; forward: ForwardRule[] | null } | null;

export function compileHostPolicy(state: NetworkState, selfPeerId: string, forwarding: boolean): HostPolicy {
  const policy = state.policy;
  if (!policy || policy.mode === 'open') return null;
  const self = state.hosts.find((h) => h.peerId === selfPeerId);
  if (!self) throw new Error(`peer ${selfPeerId} is not a host of ${state.networkId}`);
  const input: CompiledRule[] = [];
  const forward: ForwardRule[] | null = forwarding ? [] : null;
  // Hosts behind NAT that reach each other through this gateway (protocol/reach.ts).
  const relayed = forward ? new Set(relayedBy(state.hosts, selfPeerId).map((h) => h.ip)) : null;
  for (const r of policy.rules) {
    if (r.from.length === 0 || r.to.length === 0) continue; // a selector that matches no host yet
    if (r.to.includes(self.ip)) input.push({ id: r.id, sources: r.from, protocol: r.protocol, ports: r.ports });
    // The gateway forwards devices' traffic: it applies the rules that let devices in.
    if (forward && r.from.some((s) => s.includes('/'))) {
      forward.push({ id: r.id, sources: r.from.filter((s) => s.includes('/')), destinations: r.to, protocol: r.protocol, ports: r.ports });
    }
    // And between the hosts it relays, what the rule allows between them (and nothing else).
    if (forward && relayed!.size > 0) {
      const from = r.from.filter((s) => relayed!.has(s));
      const to = from.length > 0 ? r.to.filter((d) => relayed!.has(d)) : [];
      if (to.length > 0) forward.push({ id: r.id, sources: from, destinations: to, protocol: r.protocol, ports: r.ports });
    }
  }
  return { input, forward };
}

export type Decision = { allowed: boolean; rule: PolicyRuleEntry | null; reason: 'open' | 'rule' | 'no_rule' };

/**
 * Whether every address in `from` may open a connection to every address in `to` on
 * protocol/port, and the first rule (in document order) that decides it.
 */
export function decide(policy: Policy | undefined, from: string[], to: string[], protocol: Exclude<PolicyProtocol, 'any'>, port: number | null): Decision {
  if (!policy || policy.mode === 'open') return { allowed: true, rule: null, reason: 'open' };
  if (from.length === 0 || to.length === 0) return { allowed: false, rule: null, reason: 'no_rule' };
  for (const r of policy.rules) {
    if (r.protocol !== 'any' && r.protocol !== protocol) continue;
    if (protocol !== 'icmp' && !portCovers(r.ports, port)) continue;
    if (!from.every((ip) => r.from.some((s) => contains(s, ip)))) continue;
    if (!to.every((ip) => r.to.includes(ip))) continue;
    return { allowed: true, rule: r, reason: 'rule' };
  }
  return { allowed: false, rule: null, reason: 'no_rule' };
}

function portCovers(ports: string, port: number | null): boolean {
  const p = parsePorts(ports);
  if (p === null) return true;
  if ('error' in p || port === null) return false;
  return port >= p.from && port <= p.to;
}

/** Whether `source` (an address or a CIDR) covers `what` (an address, or a CIDR such as the device block). */
function contains(source: string, what: string): boolean {
  if (!source.includes('/')) return source === what;
  const [net, bits] = ipaddr.IPv4.parseCIDR(source);
  const [addr, width] = what.includes('/') ? ipaddr.IPv4.parseCIDR(what) : [ipaddr.IPv4.parse(what), 32];
  return width >= bits && addr.match(net, bits);
}
