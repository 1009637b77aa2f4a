import { describe, expect, it } from 'vitest';
import { FreshRuns } from './fresh-runs';

/** A task whose runs are numbered and end when the test says. */
function controlled() {
  const ends: (() => void)[] = [];
  const starts: number[] = [];
  const task = () => {
    starts.push(starts.length + 1);
    const n = starts.length;
    return new Promise<number>((resolve) => ends.push(() => resolve(n)));
  };
  const endRun = async (n: number) => {
    for (let i = 0; i < 10 && ends.length < n; i++) await Promise.resolve();
    ends[n - 1]();
  };
  return { task, starts, endRun };
}

describe('FreshRuns', () => {
  it('gives callers that arrive during a run the next one, started after they asked, and shares it', async () => {
    const runs = new FreshRuns<string, number>();
    const { task, starts, endRun } = controlled();
    const first = runs.run('k', task);
    const during = [runs.run('k', task), runs.run('k', task), runs.run('k', task)];
    await endRun(1);
    expect(await first).toBe(1);
    await endRun(2);
    expect(await Promise.all(during)).toEqual([2, 2, 2]);
    expect(starts).toEqual([1, 2]);
    expect(runs.size).toBe(0);
  });

  it('runs keys apart and starts afresh once nothing is in flight', async () => {
    const runs = new FreshRuns<string, number>();
    const { task, starts, endRun } = controlled();
    const a = runs.run('a', task);
    const b = runs.run('b', task);
    await endRun(1);
    await endRun(2);
    expect([await a, await b]).toEqual([1, 2]);
    const again = runs.run('a', task);
    await endRun(3);
    expect(await again).toBe(3);
    expect(starts).toEqual([1, 2, 3]);
  });

  it('gives a failure to the callers of that run only, and the next run goes ahead', async () => {
    const runs = new FreshRuns<string, string>();
    let calls = 0;
    let fail!: (e: Error) => void;
    const failing = runs.run('k', () => new Promise<string>((_, reject) => { calls++; fail = reject; }));
    const queued = runs.run('k', async () => { calls++; return 'fine'; });
    await Promise.resolve();
    fail(new Error('database hiccup'));
    await expect(failing).rejects.toThrow('database hiccup');
    expect(await queued).toBe('fine');
    expect(calls).toBe(2);
  });

  it('turns a task that throws at once into a rejected run', async () => {
    const runs = new FreshRuns<string, number>();
    await expect(runs.run('k', () => { throw new Error('bad'); })).rejects.toThrow('bad');
    expect(await runs.run('k', async () => 1)).toBe(1);
  });
});
