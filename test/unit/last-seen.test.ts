import { describe, expect, it } from 'vitest';
import { lastSeen } from '../../components/networks/peer-status';

describe('last seen, at a glance', () => {
  const now = Date.parse('2030-01-01T12:00:00Z');
  const ago = (s: number) => new Date(now - s * 1000);
  it('reads in seconds, minutes, hours, then days', () => {
    expect(lastSeen(ago(12), now)).toBe('last seen 12 s ago');
    expect(lastSeen(ago(180), now)).toBe('last seen 3 min ago');
    expect(lastSeen(ago(3 * 3600), now)).toBe('last seen 3 h ago');
    expect(lastSeen(ago(5 * 86_400), now)).toBe('last seen 5 days ago');
  });
});
