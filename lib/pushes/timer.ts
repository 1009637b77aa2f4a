/** Development convenience: the push worker runs itself every few seconds. Filled in by the push feature. */
export function startWorkerTimer() {}
