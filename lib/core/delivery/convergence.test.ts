import { describe, expect, it } from 'vitest';
import { type BehindHost, convergenceLine, summarizeConvergence } from './convergence';

const raisedAt = new Date('2026-12-02T12:00:00.000Z');
const at = (ms: number) => new Date(raisedAt.getTime() + ms);
const host = (over: Partial<BehindHost>): BehindHost => ({
  peerId: 'pr-1', name: 'box #1', appliedVersion: 6, online: true, direct: false, pushState: 'sent', lastError: null, agentOk: null, agentHealth: null, ...over,
});

describe('convergence of the latest change', () => {
  it('all applied: "applied by N of N, in Z s", Z from the change to the last host', () => {
    const c = summarizeConvergence({ version: 7, raisedAt, total: 3, applied: 3, lastAppliedAt: at(1440), behind: [] }, at(60_000));
    expect(c).toMatchObject({ complete: true, seconds: 1.4, lagging: [], offline: 0 });
    expect(convergenceLine(c)).toBe('version 7: applied by 3 of 3 hosts, in 1.4 s');
  });

  it('on its way: the time so far, and nobody is flagged in the first 10 s', () => {
    const c = summarizeConvergence({ version: 7, raisedAt, total: 2, applied: 1, lastAppliedAt: at(300), behind: [host({})] }, at(4000));
    expect(c).toMatchObject({ complete: false, seconds: 4, lagging: [] });
    expect(convergenceLine(c)).toBe('version 7: applied by 1 of 2 hosts, 4 s so far');
  });

  it('after 10 s a reachable host still behind is flagged with its reason; an offline one is only counted', () => {
    const behind = [
      host({ peerId: 'a', lastError: 'apply failed: wg: bad key', pushState: 'failed' }),
      host({ peerId: 'b', online: false, direct: true, pushState: 'pending' }),
      host({ peerId: 'c', pushState: 'sent' }),
      host({ peerId: 'd', agentOk: false, agentHealth: 'interface down', pushState: 'pending' }),
      host({ peerId: 'e', online: false, direct: false }),
    ];
    const c = summarizeConvergence({ version: 7, raisedAt, total: 6, applied: 1, lastAppliedAt: null, behind }, at(10_001));
    expect(c.lagging.map((l) => [l.peerId, l.reason])).toEqual([
      ['a', 'apply failed: wg: bad key'],
      ['b', 'waiting for the next push round'],
      ['c', 'sent over its channel, no answer yet'],
      ['d', 'agent unhealthy: interface down'],
    ]);
    expect(c.offline).toBe(1);
  });

  it('the change\'s time pruned away: no seconds, no flags; one host is "host"', () => {
    const c = summarizeConvergence({ version: 7, raisedAt: null, total: 1, applied: 0, lastAppliedAt: null, behind: [host({})] }, at(99_000));
    expect(c).toMatchObject({ seconds: null, lagging: [] });
    expect(convergenceLine(c)).toBe('version 7: applied by 0 of 1 host');
  });

  it('a network with no enrolled host is complete at once', () => {
    const c = summarizeConvergence({ version: 3, raisedAt, total: 0, applied: 0, lastAppliedAt: null, behind: [] }, at(5));
    expect(c).toMatchObject({ complete: true, seconds: null });
  });
});
