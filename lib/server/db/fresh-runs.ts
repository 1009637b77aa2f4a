/**
 * Runs a read at most once at a time per key, and shares each run with every caller that asked
 * before it started. A caller never joins a run already under way (it may have read before the
 * caller's own writes committed): it waits for the next, which starts when that one ends and
 * serves everyone who arrived meanwhile. Each caller so gets what a read of its own, started
 * during its call, would have answered, while a burst of N callers costs about two runs, not N.
 */
export class FreshRuns<K, T> {
  private readonly slots = new Map<K, { settled: Promise<void>; next?: Promise<T> }>();

  /** The next run's `task` is that of the first caller to wait for it. */
  run(key: K, task: () => Promise<T>): Promise<T> {
    const slot = this.slots.get(key);
    if (!slot) return this.start(key, task);
    return (slot.next ??= slot.settled.then(() => this.start(key, task)));
  }

  /** Keys with a run in flight (tests). */
  get size() {
    return this.slots.size;
  }

  private start(key: K, task: () => Promise<T>): Promise<T> {
    const result = Promise.resolve().then(task);
    const slot: { settled: Promise<void>; next?: Promise<T> } = {
      settled: result.then(() => {}, () => {}).then(() => {
        if (this.slots.get(key) === slot) this.slots.delete(key);
      }),
    };
    this.slots.set(key, slot);
    return result;
  }
}
