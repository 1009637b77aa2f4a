/*
 * How a host's self-reported health and last self-repair read on its page (as of the agent's
 * last answer to a document, or its last report over the channel: agent/report.ts).
 */

export type AgentHealthInput = { agentOk: boolean | null; agentHealth: string | null; lastRepairAt: string | null; lastRepair: string | null };
export type AgentHealthView = {
  health: { tone: 'green' | 'red' | 'slate'; label: string; reason: string | null };
  repair: { text: string; failed: boolean } | null; // "repaired 2 min ago: interface was missing"
};

export function agentHealthView(peer: AgentHealthInput, now: Date): AgentHealthView {
  const health = peer.agentOk === null
    ? { tone: 'slate' as const, label: 'not reported yet', reason: null }
    : peer.agentOk
      ? { tone: 'green' as const, label: 'healthy', reason: null }
      : { tone: 'red' as const, label: 'unhealthy', reason: peer.agentHealth ?? 'no reason given' };
  let repair: AgentHealthView['repair'] = null;
  if (peer.lastRepairAt && peer.lastRepair) {
    const failed = peer.lastRepair.startsWith('could not repair: ');
    const what = failed ? peer.lastRepair.slice('could not repair: '.length) : peer.lastRepair;
    repair = { text: `${failed ? 'repair failed' : 'repaired'} ${ago(new Date(peer.lastRepairAt), now)}: ${what}`, failed };
  }
  return { health, repair };
}

export function ago(date: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (s < 60) return 'just now';
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}
