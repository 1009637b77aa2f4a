import { describe, expect, it } from 'vitest';
import { batched } from '@/lib/server/db/batch';

/** A batcher whose runs are recorded and finished by hand. */
function controlled(max?: number) {
  const runs: { inputs: number[]; finish: () => void }[] = [];
  const call = batched((inputs: number[]) => new Promise<number[]>((resolve) => {
    runs.push({ inputs, finish: () => resolve(inputs.map((i) => i * 10)) });
  }), max);
  return { call, runs };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('batched', () => {
  it('runs the calls of one event-loop turn as one, each answered with its own result', async () => {
    const { call, runs } = controlled();
    const results = Promise.all([call(1), call(2), call(3)]);
    await turn();
    expect(runs.map((r) => r.inputs)).toEqual([[1, 2, 3]]);
    runs[0].finish();
    expect(await results).toEqual([10, 20, 30]);
  });

  it('gathers the calls made while a run is in flight into one next run, started when it ends', async () => {
    const { call, runs } = controlled();
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
  });

  it('splits a batch above max, and a failed run fails only its own callers', async () => {
    const calls: number[][] = [];
    const call = batched(async (inputs: number[]) => {
      calls.push(inputs);
      if (inputs.includes(3)) throw new Error('boom');
      return inputs;
    }, 2);
    const settled = await Promise.allSettled([call(1), call(2), call(3), call(4), call(5)]);
    expect(calls).toEqual([[1, 2], [3, 4], [5]]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(await call(6)).toBe(6); // and the batcher goes on
  });
});
