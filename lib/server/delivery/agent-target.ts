import { lookup as dnsLookup } from 'node:dns/promises';
import { type Address, type Cidr, addressRefusal, agentUrlProblem, canonical, literalAddress } from '../../core/delivery/agent-address';
import ipaddr from 'ipaddr.js';

/*
 * Resolves an agentUrl to the one address a push will connect to, judged by the address
 * rules (agent-address.ts) every time, not only at enrolment: a name may resolve elsewhere
 * later. The push then connects to exactly that address (deliver.ts), so there is no window
 * for DNS to answer differently between the check and the connection. Errors are our own
 * words, never the resolver's.
 */

export type AgentTarget = { url: URL; address: string; family: 4 | 6 };
export type TargetResult = { ok: true; target: AgentTarget } | { ok: false; error: string };

type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;
const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

export async function resolveAgentTarget(raw: string, allow: readonly Cidr[], lookup: Lookup = systemLookup): Promise<TargetResult> {
  const problem = agentUrlProblem(raw);
  if (problem) return { ok: false, error: `address not allowed: ${problem}` };
  const url = new URL(raw);
  let addresses: Address[];
  const literal = literalAddress(url.hostname);
  if (literal) {
    addresses = [literal];
  } else {
    try {
      addresses = (await lookup(url.hostname)).map((r) => ipaddr.parse(r.address));
    } catch {
      return { ok: false, error: 'host name not found' };
    }
    if (addresses.length === 0) return { ok: false, error: 'host name not found' };
  }
  // Every address a name has must be allowed: a name that also points inside is refused.
  for (const a of addresses) {
    const why = addressRefusal(a, allow);
    if (why) return { ok: false, error: `address not allowed: the agent URL's host ${literal ? 'is' : 'resolves to'} ${why}` };
  }
  const chosen = canonical(addresses[0]);
  return { ok: true, target: { url, address: chosen.toString(), family: chosen.kind() === 'ipv4' ? 4 : 6 } };
}
