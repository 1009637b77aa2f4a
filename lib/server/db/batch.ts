/*
 * Calls made together run as one: each call's input is queued, and at the next turn of the
 * event loop (setImmediate) `run` gets every queued input, at most `max` at a time, and
 * answers each call's result in order. While a run is in flight the queue only grows, and the
 * next run takes all of it when that one ends: batches grow with the load instead of being one
 * event-loop turn's worth each (thousands of answers arriving over a second are a few
 * statements, not hundreds). For the small per-request reads and writes that thousands of
 * requests make at the same moment (every held agent channel woken by one change). Each query
 * starts after all of its callers asked, so a caller sees whatever was committed before it called.
 */
export function batched<I, O>(run: (inputs: I[]) => Promise<O[]>, max = 1000): (input: I) => Promise<O> {
  let queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  let running = false;
  const flush = () => {
    scheduled = false;
    if (running || queue.length === 0) return;
    running = true;
    const all = queue;
    queue = [];
    const parts: Promise<void>[] = [];
    for (let i = 0; i < all.length; i += max) {
      const part = all.slice(i, i + max);
      parts.push(run(part.map((p) => p.input)).then(
        (outs) => part.forEach((p, k) => p.resolve(outs[k])),
        (e: unknown) => part.forEach((p) => p.reject(e)),
      ));
    }
    void Promise.all(parts).then(() => {
      running = false;
      flush();
    });
  };
  return (input) => new Promise<O>((resolve, reject) => {
    queue.push({ input, resolve, reject });
    if (!scheduled && !running) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}

/** One batcher per database handle (tests open several). */
export function batchedPer<D extends object, I, O>(make: (db: D) => (input: I) => Promise<O>): (db: D, input: I) => Promise<O> {
  const per = new WeakMap<D, (input: I) => Promise<O>>();
  return (db, input) => {
    let f = per.get(db);
    if (!f) per.set(db, (f = make(db)));
    return f(input);
  };
}

/** Ids or hashes (no commas in them) as one text parameter, for `= any(string_to_array($1, ','))`. */
export const csv = (ids: Iterable<string>) => [...ids].join(',');
