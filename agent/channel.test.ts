import { describe, expect, it } from 'vitest';
import { backoffMs } from './channel';

describe('channel reconnect backoff', () => {
  it('doubles from 1 s to a 10 s cap by default, jittered over the upper half', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((f) => backoffMs(f, 1000, undefined, () => 1))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((f) => backoffMs(f, 1000, 30_000, () => 1))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffMs(1, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffMs(10, 1000, 30_000, () => 0)).toBe(15_000);
  });

  it('spreads agents that fail together over the window', () => {
    const waits = new Set(Array.from({ length: 200 }, () => backoffMs(6)));
    expect(waits.size).toBeGreaterThan(150);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(5_000);
    for (const w of waits) expect(w).toBeLessThanOrEqual(10_000);
  });
});
