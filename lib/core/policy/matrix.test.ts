import { describe, expect, it } from 'vitest';
import { policyMatrix, portsLabel } from './matrix';

describe('policyMatrix', () => {
  const api = { id: 'ap-aaaaaaaaaaaa', label: 'api', tags: [] };
  const db = { id: 'ad-bbbbbbbbbbbb', label: 'db', tags: ['db'] };
  it('puts each rule in the cells it opens, process rules as partial, tags by membership', () => {
    const m = policyMatrix([api, db], [
      { id: 'pr-1', from: api.id, to: 'tag:db', protocol: 'tcp', ports: '5432' },
      { id: 'pr-2', from: `${api.id}/worker`, to: db.id, protocol: 'any', ports: 'any' },
      { id: 'pr-3', from: 'devices', to: api.id, protocol: 'udp', ports: '8000-8100' },
    ], true);
    expect(m.map((r) => (r.from === 'devices' ? 'devices' : r.from.label))).toEqual(['devices', 'api', 'db']);
    expect(m[0].cells.map((c) => c.entries.map((e) => e.label))).toEqual([['udp 8000-8100'], []]);
    expect(m[1].cells[1].entries).toEqual([{ ruleId: 'pr-1', label: 'tcp 5432', partial: false }, { ruleId: 'pr-2', label: 'all traffic', partial: true }]);
    expect(m[2].cells.every((c) => c.entries.length === 0)).toBe(true);
    expect(portsLabel('icmp', 'any')).toBe('icmp');
  });
});
