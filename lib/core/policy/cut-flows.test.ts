import { describe, expect, it } from 'vitest';
import { flowsCutByIsolation } from './cut-flows';

const now = new Date('2026-12-02T13:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();
const api = { id: 'ap-aaaaaaaaaaaa', label: 'api', tags: [], lastHandshakeAt: [ago(30), null] };
const db = { id: 'ad-bbbbbbbbbbbb', label: 'db', tags: ['db'], lastHandshakeAt: [ago(100)] };
const cron = { id: 'ap-cccccccccccc', label: 'cron', tags: [], lastHandshakeAt: [ago(3600)] }; // idle for an hour
const never = { id: 'ex-dddddddddddd', label: 'box', tags: [], lastHandshakeAt: [null] };

describe('flowsCutByIsolation', () => {
  it('names the pairs of recently active members that no rule allows, and those a rule narrows', () => {
    const r = flowsCutByIsolation([api, db, cron, never], [], [{ id: 'pr-1', from: 'ap-aaaaaaaaaaaa', to: 'tag:db', protocol: 'tcp', ports: '5432' }], now);
    expect(r.cut.map((f) => `${f.fromLabel}→${f.toLabel}`)).toEqual(['db→api']);
    expect(r.narrowed).toEqual([{ from: 'ap-aaaaaaaaaaaa', to: 'ad-bbbbbbbbbbbb', fromLabel: 'api', toLabel: 'db', allowed: ['tcp 5432'] }]);
    expect(r).toMatchObject({ active: 2, unknown: 2, devicesActive: false });
  });

  it('counts devices that shook hands recently as a source towards every active member', () => {
    const r = flowsCutByIsolation([api, db], [null, ago(60)], [{ id: 'pr-2', from: 'devices', to: 'ap-aaaaaaaaaaaa', protocol: 'any', ports: 'any' }], now);
    expect(r.cut.map((f) => `${f.fromLabel}→${f.toLabel}`)).toEqual(['devices→db', 'api→db', 'db→api']);
    expect(r.narrowed.map((f) => `${f.fromLabel}→${f.toLabel}:${f.allowed.join()}`)).toEqual(['devices→api:all traffic']);
  });

  it('cuts nothing it cannot see: no recent handshakes, no named flows', () => {
    expect(flowsCutByIsolation([cron, never], [ago(9999)], [], now)).toEqual({ cut: [], narrowed: [], active: 0, unknown: 2, devicesActive: false });
  });
});
