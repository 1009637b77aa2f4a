import { describe, expect, it } from 'vitest';
import { batched, batchedPer } from './batch';

describe('batched', () => {
  it('runs calls made together as one, answering each its own result in order', async () => {
    const runs: number[][] = [];
    const double = batched(async (xs: number[]) => { runs.push(xs); return xs.map((x) => x * 2); }, 3);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((x) => double(x)));
    expect(answers).toEqual([2, 4, 6, 8, 10]);
    expect(runs).toEqual([[1, 2, 3], [4, 5]]); // at most `max` per run
    expect(await double(7)).toBe(14);
    expect(runs).toHaveLength(3); // a later call is a run of its own
  });

  it('rejects every call of a failed run, and keeps one batcher per handle', async () => {
    const fail = batched(async (): Promise<number[]> => { throw new Error('down'); });
    await expect(Promise.all([fail(1), fail(2)])).rejects.toThrow('down');
    const calls: string[] = [];
    const per = batchedPer((db: { name: string }) => batched(async (xs: number[]) => { calls.push(db.name); return xs; }));
    const a = { name: 'a' };
    const b = { name: 'b' };
    await Promise.all([per(a, 1), per(a, 2), per(b, 3)]);
    expect(calls.sort()).toEqual(['a', 'b']);
  });

  it('gathers the calls made while a run is in flight into one next run, started when it ends', async () => {
    const runs: { inputs: number[]; finish: () => void }[] = [];
    const call = batched((inputs: number[]) => new Promise<number[]>((resolve) => {
      runs.push({ inputs, finish: () => resolve(inputs.map((i) => i * 10)) });
    }));
    const turn = () => new Promise((r) => setImmediate(r));
    const first = call(1);
    await turn();
    const later = [call(2)];
    await turn();
    later.push(call(3));
    await turn();
    later.push(call(4));
    await turn();
    expect(runs).toHaveLength(1); // nothing more starts while the first is in flight
    runs[0].finish();
    expect(await first).toBe(10);
    await turn();
    expect(runs.map((r) => r.inputs)).toEqual([[1], [2, 3, 4]]);
    runs[1].finish();
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(await Promise.race([call(5), turn().then(() => 'stuck')])).toBe('stuck'); // a new call starts a run of its own
    runs[2].finish();
  });
});
