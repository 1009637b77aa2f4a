import { describe, expect, it } from 'vitest';
import { describeActivity, type ActivityContext, type ActivityEntry } from './describe';

const ctx: ActivityContext = {
  projectId: 'pj-000000000001',
  networks: new Map([['pn-000000000001', { label: 'backend' }]]),
  members: new Map([['ap-000000000001', { label: 'api', kind: 'application', networkId: 'pn-000000000001' }]]),
  peers: new Map([['pe-000000000001', { name: 'api web #2', networkId: 'pn-000000000001' }]]),
  users: new Map([['us-000000000002', { email: 'dana@example.com' }]]),
};
const by = { actorUserId: 'us-000000000001', actorEmail: 'ops@example.com' };
const entry = (e: Partial<ActivityEntry> & Pick<ActivityEntry, 'action' | 'resourceType' | 'resourceId'>): ActivityEntry => ({ ...by, details: null, ...e });
const sentence = (e: ActivityEntry) => describeActivity(e, ctx).map((s) => s.text).join('');
const links = (e: ActivityEntry) => describeActivity(e, ctx).filter((s) => s.href).map((s) => [s.text, s.href]);

describe('describeActivity', () => {
  it('says who added what to which network, with links to each', () => {
    const e = entry({ action: 'member.create', resourceType: 'member', resourceId: 'ap-000000000001', details: { label: 'api', kind: 'application', processes: { web: 2, worker: 1 }, networkId: 'pn-000000000001' } });
    expect(sentence(e)).toBe('ops@example.com added application api (web ×2, worker ×1) to backend');
    expect(links(e)).toEqual([
      ['ops@example.com', '/projects/pj-000000000001/activity?actor=us-000000000001'],
      ['api', '/projects/pj-000000000001/networks/pn-000000000001/members/ap-000000000001'],
      ['backend', '/projects/pj-000000000001/networks/pn-000000000001'],
    ]);
  });

  it('names deleted things from what the entry kept, without links', () => {
    const e = entry({ action: 'member.delete', resourceType: 'member', resourceId: 'ad-000000000009', details: { label: 'db', peers: 1, networkId: 'pn-00000000000x' } });
    expect(sentence(e)).toBe('ops@example.com removed db and its 1 host from a deleted network');
    expect(sentence(entry({ action: 'network.delete', resourceType: 'network', resourceId: 'pn-00000000000x', details: { label: 'old', cidr: '10.70.0.0/16' } })))
      .toBe('ops@example.com deleted network old 10.70.0.0/16');
  });

  it.each([
    [{ action: 'member.scale', resourceType: 'member', resourceId: 'ap-000000000001', details: { web: 3 } }, 'ops@example.com scaled api to web ×3'],
    [{ action: 'member.create', resourceType: 'member', resourceId: 'ex-000000000003', details: { label: 'db1', kind: 'external', processes: { instance: 1 }, networkId: 'pn-000000000001' } }, 'ops@example.com added external db1 (×1) to backend'],
    [{ action: 'team.add', resourceType: 'user', resourceId: 'us-000000000002', details: { email: 'dana@example.com', role: 'developer' } }, 'ops@example.com added dana@example.com to the team as developer'],
    [{ action: 'team.role', resourceType: 'user', resourceId: 'us-000000000002', details: { from: 'viewer', to: 'admin' } }, 'ops@example.com changed the role of dana@example.com from viewer to admin'],
    [{ action: 'firewall.lease.create', resourceType: 'lease', resourceId: 'ls-000000000001', details: { networkId: 'pn-000000000001', ip: '203.0.113.7' } }, 'ops@example.com leased 203.0.113.7 for 24 hours on backend'],
    [{ action: 'firewall.rule.add', resourceType: 'firewall_rule', resourceId: 'fr-000000000001', details: { networkId: 'pn-000000000001', cidr: '203.0.113.0/24', note: 'office' } }, 'ops@example.com allowed 203.0.113.0/24 on backend (office)'],
    [{ action: 'peer.update', resourceType: 'peer', resourceId: 'pe-000000000001', details: { gateway: true } }, 'ops@example.com made the gateway host api web #2'],
    [{ action: 'network.push', resourceType: 'network', resourceId: 'pn-000000000001', details: { claimed: 3, applied: 2, failed: 1 } }, 'ops@example.com pushed backend to its hosts: 2 applied, 1 failed'],
    [{ action: 'project.rename', resourceType: 'project', resourceId: 'pj-000000000001', details: { from: 'a', to: 'b' } }, 'ops@example.com renamed the project from a to b'],
    [{ action: 'device.create', resourceType: 'device', resourceId: 'dv-000000000001', details: { name: 'laptop' } }, 'ops@example.com added the device laptop'],
  ] as const)('%j', (e, words) => {
    expect(sentence(entry({ ...e, details: { ...e.details } }))).toBe(words);
  });

  it('lets an agent speak as the host, and shows an unknown code as it is', () => {
    expect(sentence({ action: 'peer.enroll', resourceType: 'peer', resourceId: 'pe-000000000001', actorUserId: null, actorEmail: 'agent pe-000000000001', details: null }))
      .toBe('Host api web #2 enrolled its agent');
    expect(sentence(entry({ action: 'something.new', resourceType: 'x', resourceId: 'xx-000000000001' }))).toBe('ops@example.com something.new xx-000000000001');
  });
});
