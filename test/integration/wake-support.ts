import type { StubFleet } from './stub-agents';

/** Waits (polling every 10 ms, at most `withinMs`) until every listed stub applied version `v`. */
export async function allApplied(fleet: StubFleet, peerIds: string[], v: number, withinMs: number) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const behind = peerIds.filter((id) => (fleet.get(id).applied.at(-1) ?? 0) < v);
    if (behind.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${behind.length} of ${peerIds.length} hosts had not applied version ${v} after ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
