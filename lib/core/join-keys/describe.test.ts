import { describe, expect, it } from 'vitest';
import { describeJoinKey } from './describe';

const now = new Date('2026-12-02T12:00:00Z');
const base = { process: 'web', autoscale: true, maxInstances: 20, ephemeral: true, maxUses: null, uses: 7, revokedAt: null };

describe('describeJoinKey', () => {
  it('reads like the issue\'s example', () => {
    expect(describeJoinKey({ ...base, expiresAt: new Date(now.getTime() + 29.5 * 86_400_000) }, now)).toBe('web, up to 20 instances, ephemeral, expires in 29 days, used 7 times');
  });
  it('says any process, hours, limits, expired and revoked', () => {
    expect(describeJoinKey({ ...base, process: null, autoscale: false, ephemeral: false, uses: 1, maxUses: 5, expiresAt: new Date(now.getTime() + 2 * 3_600_000) }, now))
      .toBe('any process, expires in 2 hours, used once of 5');
    expect(describeJoinKey({ ...base, expiresAt: new Date(now.getTime() - 1) }, now)).toContain('expired');
    expect(describeJoinKey({ ...base, revokedAt: now, expiresAt: new Date(now.getTime() + 1e9) }, now)).toContain('revoked');
  });
});
