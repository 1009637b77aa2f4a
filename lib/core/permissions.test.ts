import { describe, expect, it } from 'vitest';
import { isLastOwner } from './permissions';

describe('isLastOwner', () => {
  it('is the only owner, and only that', () => {
    const solo = { role: 'owner' as const };
    const admin = { role: 'admin' as const };
    expect(isLastOwner([solo, admin], solo)).toBe(true);
    expect(isLastOwner([solo, admin], admin)).toBe(false);
    const other = { role: 'owner' as const };
    expect(isLastOwner([solo, other, admin], solo)).toBe(false);
  });
});
