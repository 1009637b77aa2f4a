import { describe, expect, it } from 'vitest';
import { agentHealthView } from './agent-health';

const now = new Date('2030-01-01T12:00:00Z');

describe('agentHealthView', () => {
  it('says when a host repaired itself and why, and when it is unhealthy', () => {
    expect(agentHealthView({ agentOk: true, agentHealth: null, lastRepairAt: '2030-01-01T11:58:00Z', lastRepair: 'interface was missing' }, now))
      .toEqual({ health: { tone: 'green', label: 'healthy', reason: null }, repair: { text: 'repaired 2 min ago: interface was missing', failed: false } });
    expect(agentHealthView({ agentOk: false, agentHealth: 'last apply failed: nft: syntax error', lastRepairAt: '2030-01-01T09:00:00Z', lastRepair: 'could not repair: interface was missing' }, now))
      .toEqual({ health: { tone: 'red', label: 'unhealthy', reason: 'last apply failed: nft: syntax error' }, repair: { text: 'repair failed 3 h ago: interface was missing', failed: true } });
    expect(agentHealthView({ agentOk: null, agentHealth: null, lastRepairAt: null, lastRepair: null }, now))
      .toEqual({ health: { tone: 'slate', label: 'not reported yet', reason: null }, repair: null });
  });
});
