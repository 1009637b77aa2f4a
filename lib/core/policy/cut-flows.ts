import { connectedWithinMs } from '../devices/liveness';
import { type MatrixMember, type MatrixRule, policyMatrix } from './matrix';

/*
 * What switching a network to isolated would cut, from the hosts' recent handshakes. Pure.
 * Hosts report when each of their tunnels last shook hands, not with whom traffic flowed, so
 * a flow is known only as "both ends were active within 3 minutes": every ordered pair of
 * active members (and active devices towards each active member) that no rule allows is
 * cut; a pair some rule allows only on some ports is narrowed. Members with no recent
 * handshake cannot be judged and are counted, not guessed at.
 */

export type ActivityMember = MatrixMember & { lastHandshakeAt: (Date | string | null)[] };
export type Flow = { from: string; to: string; fromLabel: string; toLabel: string; allowed: string[] };
export type CutFlows = { cut: Flow[]; narrowed: Flow[]; active: number; unknown: number; devicesActive: boolean };

const recent = (at: Date | string | null, now: Date) => at !== null && now.getTime() - new Date(at).getTime() < connectedWithinMs;

export function flowsCutByIsolation(members: ActivityMember[], deviceHandshakes: (Date | string | null)[], rules: MatrixRule[], now: Date): CutFlows {
  const active = members.filter((m) => m.lastHandshakeAt.some((at) => recent(at, now)));
  const devicesActive = deviceHandshakes.some((at) => recent(at, now));
  const cut: Flow[] = [];
  const narrowed: Flow[] = [];
  for (const row of policyMatrix(active, rules, devicesActive)) {
    const fromId = row.from === 'devices' ? 'devices' : row.from.id;
    const fromLabel = row.from === 'devices' ? 'devices' : row.from.label;
    for (const cell of row.cells) {
      if (cell.to.id === fromId) continue; // a host always reaches itself
      const flow = { from: fromId, to: cell.to.id, fromLabel, toLabel: cell.to.label, allowed: cell.entries.map((e) => e.label) };
      (cell.entries.length === 0 ? cut : narrowed).push(flow);
    }
  }
  return { cut, narrowed, active: active.length, unknown: members.length - active.length, devicesActive };
}
