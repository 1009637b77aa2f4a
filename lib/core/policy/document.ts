import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/*
 * The policy as the signed network document carries it: the mode, and each rule with its
 * selectors already resolved to addresses (so an agent needs no tags or member names).
 * Kept apart from network-state.ts's imports so the pure compile function can share it.
 */

export const policyModes = ['open', 'isolated'] as const;
export type PolicyMode = (typeof policyModes)[number];
export const policyProtocols = ['tcp', 'udp', 'icmp', 'any'] as const;
export type PolicyProtocol = (typeof policyProtocols)[number];

export type PortRange = { from: number; to: number };

/** "5432" → 5432–5432, "8000-8100" → 8000–8100, "any" → null; anything else → a reason. */
export function parsePorts(text: string): PortRange | null | { error: string } {
  const s = text.trim();
  if (s === 'any') return null;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
  if (!m) return { error: `"${s}" is not a port: use 5432, a range such as 8000-8100, or any.` };
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || from > 65535 || to < 1 || to > 65535) return { error: 'Ports go from 1 to 65535.' };
  if (to < from) return { error: `The range ${s} is reversed: write ${to}-${from}.` };
  return { from, to };
}

const portsText = z.string().max(11).refine((s) => { const p = parsePorts(s); return p === null || !('error' in p); }, 'not a port, a range or any');
const source = z.string().refine((s) => {
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return true;
  const [a, b] = s.split('/');
  return b !== undefined && ipaddr.IPv4.isValidFourPartDecimal(a) && /^\d{1,2}$/.test(b) && Number(b) <= 32;
}, 'not an IPv4 address or CIDR');
const ipv4 = z.string().refine((s) => ipaddr.IPv4.isValidFourPartDecimal(s), 'not an IPv4 address');

export const policyRuleEntrySchema = z.object({
  id: z.string().regex(/^[a-z]{2}-[0-9a-z]{1,40}$/),
  from: z.array(source),
  to: z.array(ipv4),
  protocol: z.enum(policyProtocols),
  ports: portsText,
}).refine((r) => !(r.protocol === 'icmp' && r.ports !== 'any'), 'icmp has no ports');
export type PolicyRuleEntry = z.infer<typeof policyRuleEntrySchema>;

export const policySchema = z.object({ mode: z.enum(policyModes), rules: z.array(policyRuleEntrySchema) });
export type Policy = z.infer<typeof policySchema>;
