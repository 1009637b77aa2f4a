import { describe, expect, it } from 'vitest';
import { deviceLiveness } from './liveness';

const now = new Date('2026-12-02T06:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('deviceLiveness', () => {
  it('says never, connected, minutes, hours and days', () => {
    expect(deviceLiveness(null, now)).toEqual({ state: 'never', text: 'never connected' });
    expect(deviceLiveness(ago(100_000), now).text).toBe('connected');
    expect(deviceLiveness(ago(181_000), now)).toEqual({ state: 'idle', text: 'last handshake 3 min ago' });
    expect(deviceLiveness(ago(5 * 3_600_000), now).text).toBe('last handshake 5 h ago');
    expect(deviceLiveness(ago(72 * 3_600_000).toISOString(), now).text).toBe('last handshake 3 days ago');
  });
});
