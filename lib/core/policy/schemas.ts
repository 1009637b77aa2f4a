import { z } from 'zod';
import { parsePorts, policyModes, policyProtocols } from './document';

/*
 * Selectors and rule input. Pure (zod only), so the add-rule form checks what the server checks.
 * A selector is a member ("ap-…", "ad-…", "ex-…"), one process of an application
 * ("ap-…/worker"), a tag of members ("tag:db"), or "devices" (team members' devices, `from` only).
 */

export type Selector =
  | { kind: 'member'; memberId: string }
  | { kind: 'process'; memberId: string; process: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'devices' };

const memberId = /^(?:ap|ad|ex)-[0-9a-z]{12}$/;
const processName = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function parseSelector(text: string): Selector | null {
  const s = text.trim();
  if (s === 'devices') return { kind: 'devices' };
  if (s.startsWith('tag:')) {
    const tag = s.slice(4);
    return tag.length >= 1 && tag.length <= 32 && !/[\s,]/.test(tag) ? { kind: 'tag', tag } : null;
  }
  const [m, p, extra] = s.split('/');
  if (extra !== undefined || !memberId.test(m)) return null;
  if (p === undefined) return { kind: 'member', memberId: m };
  return m.startsWith('ap-') && processName.test(p) ? { kind: 'process', memberId: m, process: p } : null;
}

export function selectorText(s: Selector): string {
  switch (s.kind) {
    case 'devices': return 'devices';
    case 'tag': return `tag:${s.tag}`;
    case 'member': return s.memberId;
    case 'process': return `${s.memberId}/${s.process}`;
  }
}

const selectorHelp = 'Use a member id (ap-…, ad-…, ex-…), an application process (ap-…/worker), a tag (tag:db) or devices.';
const selector = (field: 'from' | 'to') => z.string({ error: `Enter a selector. ${selectorHelp}` }).max(120)
  .transform((v, ctx) => {
    const parsed = parseSelector(v);
    if (!parsed) ctx.addIssue({ code: 'custom', message: `"${v.trim()}" is not a selector. ${selectorHelp}` });
    else if (parsed.kind === 'devices' && field === 'to') ctx.addIssue({ code: 'custom', message: 'devices can only be a source: use devices in "from".' });
    return parsed ? selectorText(parsed) : '';
  });

/** The shape; `withRuleChecks` adds the checks across fields once the ids are in. */
export const policyRuleCreateShape = z.object({
  from: selector('from'),
  to: selector('to'),
  protocol: z.enum(policyProtocols, { error: 'The protocol is tcp, udp, icmp or any.' }),
  ports: z.string().max(20).default('any').transform((v, ctx) => {
    const p = parsePorts(v);
    if (p !== null && 'error' in p) ctx.addIssue({ code: 'custom', message: p.error });
    return p === null || 'error' in p ? 'any' : p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
  }),
  note: z.string().trim().max(200, 'Use at most 200 characters.').default(''),
});

export function withRuleChecks<T extends z.ZodType<{ protocol: string; ports: string }>>(schema: T) {
  return schema.superRefine((r, ctx) => {
    if (r.protocol === 'icmp' && r.ports !== 'any') ctx.addIssue({ code: 'custom', path: ['ports'], message: 'icmp has no ports: leave ports as any.' });
  });
}
export const policyRuleCreateSchema = withRuleChecks(policyRuleCreateShape);

export const policyModeSchema = z.object({ mode: z.enum(policyModes, { error: 'The mode is open or isolated.' }) });

export const reachabilityQueryShape = z.object({
  from: selector('from'),
  to: selector('to'),
  protocol: z.enum(['tcp', 'udp', 'icmp']).default('tcp'),
  port: z.coerce.number({ error: 'The port is a number from 1 to 65535.' }).int().min(1, 'Ports go from 1 to 65535.').max(65535, 'Ports go from 1 to 65535.').optional(),
});
export function withPortRequired<T extends z.ZodType<{ protocol: string; port?: number }>>(schema: T) {
  return schema.superRefine((q, ctx) => {
    if (q.protocol !== 'icmp' && q.port === undefined) ctx.addIssue({ code: 'custom', path: ['port'], message: 'Give the port to check, e.g. port=5432.' });
  });
}
