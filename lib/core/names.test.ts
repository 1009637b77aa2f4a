import { describe, expect, it } from 'vitest';
import {
  deviceName, dnsLabelMessage, dnsLabelSchema, isDnsLabel,
  isValidDnsName, memberGroupNames, memberNames,
} from './names';

const base = { networkId: 'pn-y', memberId: 'ap-x' };

describe('memberNames', () => {
  it('names a web instance and the member it answers for', () => {
    expect(memberNames({ ...base, kind: 'application', process: 'web', number: 2 })).toEqual([
      '2.web.ap-x.pn-y.mesh.internal',
      'ap-x.pn-y.mesh.internal',
    ]);
  });

  it('names a worker instance and its process group', () => {
    expect(memberNames({ ...base, zone: 'zone', kind: 'application', process: 'worker', number: 2 })).toEqual([
      '2.worker.ap-x.pn-y.zone',
      'worker.ap-x.pn-y.zone',
    ]);
  });

  it.each(['addon', 'external'] as const)('names an %s instance without a process', (kind) => {
    expect(memberNames({ zone: 'zone', networkId: 'pn-y', memberId: 'ad-z', kind, number: 3 })).toEqual([
      '3.ad-z.pn-y.zone',
      'ad-z.pn-y.zone',
    ]);
    expect(memberNames({ zone: 'zone', networkId: 'pn-y', memberId: 'ad-z', kind, process: 'web', number: 3 }))
      .toEqual(['3.ad-z.pn-y.zone', 'ad-z.pn-y.zone']);
  });

  it('refuses an application instance without a process', () => {
    expect(() => memberNames({ ...base, kind: 'application', process: null, number: 1 })).toThrow(/no process/);
  });

  it('gives the instance its own name first (its MESHPLANE_PRIVATE_HOSTNAME)', () => {
    expect(memberNames({ ...base, kind: 'application', process: 'worker', number: 1 })[0])
      .toBe('1.worker.ap-x.pn-y.mesh.internal');
    expect(memberNames({ zone: 'corp.example', networkId: 'pn-y', memberId: 'ex-q', kind: 'external', number: 7 })[0])
      .toBe('7.ex-q.pn-y.corp.example');
  });

  it('produces valid DNS names for real ids', () => {
    const names = memberNames({
      networkId: 'pn-3hd8s0a2m1c9', memberId: 'ap-0123456789ab', kind: 'application', process: 'worker', number: 12,
    });
    expect(names.every(isValidDnsName)).toBe(true);
  });
});

describe('memberGroupNames', () => {
  it('lists the names of an application by process, web on the member name', () => {
    expect(memberGroupNames({ ...base, kind: 'application', processes: ['worker', 'web', 'worker'] })).toEqual([
      'ap-x.pn-y.mesh.internal',
      'worker.ap-x.pn-y.mesh.internal',
    ]);
    expect(memberGroupNames({ ...base, kind: 'application', processes: [] })).toEqual([]);
  });

  it('lists the one name of an addon', () => {
    expect(memberGroupNames({ networkId: 'pn-y', memberId: 'ad-z', kind: 'addon' })).toEqual(['ad-z.pn-y.mesh.internal']);
  });
});

describe('deviceName', () => {
  it('puts the device under its owner and the dev label', () => {
    expect(deviceName({ networkId: 'pn-y', deviceName: 'laptop', userHandle: 'alice' }))
      .toBe('laptop.alice.dev.pn-y.mesh.internal');
    expect(deviceName({ zone: 'z.test', networkId: 'pn-y', deviceName: 'phone', userHandle: 'bob' }))
      .toBe('phone.bob.dev.pn-y.z.test');
  });
});


describe('isDnsLabel and isValidDnsName', () => {
  it.each(['a', 'web', 'worker-2', '0', '2fa', 'a'.repeat(63), 'pn-3hd8s0a2m1c9'])('accepts %s', (label) => {
    expect(isDnsLabel(label)).toBe(true);
    expect(dnsLabelSchema.safeParse(label).success).toBe(true);
  });

  it.each(['', '-web', 'web-', 'Web', 'we_b', 'we b', 'wéb', 'a.b', 'a'.repeat(64), 'web\n'])('refuses %j', (label) => {
    expect(isDnsLabel(label)).toBe(false);
    const result = dnsLabelSchema.safeParse(label);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toBe(dnsLabelMessage);
  });

  it('says clearly what a label may hold', () => {
    expect(dnsLabelMessage).toMatch(/lower-case letters, digits and hyphens, at most 63, not starting or ending with a hyphen/);
  });

  it('checks whole names', () => {
    expect(isValidDnsName('2.web.ap-x.pn-y.mesh.internal')).toBe(true);
    expect(isValidDnsName('')).toBe(false);
    expect(isValidDnsName('a..b')).toBe(false);
    expect(isValidDnsName('mesh.internal.')).toBe(false);
    expect(isValidDnsName('Mesh.internal')).toBe(false);
    const label = 'a'.repeat(63);
    expect(isValidDnsName([label, label, label, 'a'.repeat(61)].join('.'))).toBe(true); // 253
    expect(isValidDnsName([label, label, label, 'a'.repeat(62)].join('.'))).toBe(false); // 254
  });
});
