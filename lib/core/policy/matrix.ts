import { parseSelector } from './schemas';

/*
 * The policy at a glance: sources (devices, then members) × members, each cell the rules that
 * let that source open connections to that member. Pure, from the stored rules and the
 * members, so the page shows exactly what the rules say (a process rule covers part of a member).
 */

export type MatrixMember = { id: string; label: string; tags: string[] };
export type MatrixRule = { id: string; from: string; to: string; protocol: string; ports: string };
export type MatrixEntry = { ruleId: string; label: string; partial: boolean };

/** "tcp 5432", "udp 8000-8100", "icmp", "all ports", "tcp (all ports)". */
export function portsLabel(protocol: string, ports: string): string {
  if (protocol === 'icmp') return 'icmp';
  if (protocol === 'any') return ports === 'any' ? 'all traffic' : `tcp/udp ${ports}`;
  return ports === 'any' ? `${protocol} all ports` : `${protocol} ${ports}`;
}

/** Whether a selector covers a member: fully, partly (one process of it), or not at all. */
function covers(selector: string, member: MatrixMember | 'devices'): 'full' | 'partial' | null {
  const s = parseSelector(selector);
  if (!s) return null;
  if (member === 'devices') return s.kind === 'devices' ? 'full' : null;
  switch (s.kind) {
    case 'devices': return null;
    case 'member': return s.memberId === member.id ? 'full' : null;
    case 'process': return s.memberId === member.id ? 'partial' : null;
    case 'tag': return member.tags.includes(s.tag) ? 'full' : null;
  }
}

export function policyMatrix(members: MatrixMember[], rules: MatrixRule[], withDevices: boolean) {
  const sources: (MatrixMember | 'devices')[] = [...(withDevices ? ['devices' as const] : []), ...members];
  return sources.map((from) => ({
    from,
    cells: members.map((to) => {
      const entries: MatrixEntry[] = [];
      for (const r of rules) {
        const f = covers(r.from, from);
        const t = covers(r.to, to);
        if (f && t) entries.push({ ruleId: r.id, label: portsLabel(r.protocol, r.ports), partial: f === 'partial' || t === 'partial' });
      }
      return { to, entries };
    }),
  }));
}
