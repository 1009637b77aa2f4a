import { describe, expect, it, vi } from 'vitest';
import type { AgentHealth } from '../lib/core/protocol/messages';
import { reportFor, startReporter, type PeerStats, type Report } from './report';

const well: AgentHealth = { ok: true, drift: [], lastRepair: null };
const repaired: AgentHealth = { ok: true, drift: [], lastRepair: { at: '2026-12-02T12:58:00.000Z', found: ['interface was missing'], ok: true } };
const stats = (at: string | null, rx = 0): PeerStats => ({
  totals: { latestHandshake: at, rxBytes: rx, txBytes: rx },
  peers: at ? [{ publicKey: 'k1', latestHandshake: at, rxBytes: rx, txBytes: rx }] : [],
});
const none = { health: null, handshakes: null };

describe('reportFor (what changed since the last report)', () => {
  it('sends health the first time and again only when ok, reason or the last repair changed', () => {
    const first = reportFor(none, well, null)!;
    expect(first.report).toEqual({ health: well });
    expect(reportFor(first.keys, well, null)).toBeNull();
    expect(reportFor(first.keys, repaired, null)!.report).toEqual({ health: repaired });
    expect(reportFor(first.keys, { ok: false, reason: 'x', drift: ['x'], lastRepair: null }, null)!.report.health?.ok).toBe(false);
  });

  it('sends handshakes when a handshake time moved, not when only bytes did, capped at 64 peers', () => {
    const first = reportFor(none, null, stats('2026-12-02T12:00:00.000Z'))!;
    expect(first.report.peers).toHaveLength(1);
    expect(reportFor(first.keys, null, stats('2026-12-02T12:00:00.000Z', 5000))).toBeNull();
    expect(reportFor(first.keys, null, stats('2026-12-02T12:02:00.000Z'))!.report.totals?.latestHandshake).toBe('2026-12-02T12:02:00.000Z');
    const many: PeerStats = { totals: { latestHandshake: 'a', rxBytes: 0, txBytes: 0 }, peers: Array.from({ length: 100 }, (_, i) => ({ publicKey: `k${i}`, latestHandshake: 'a' })) };
    expect(reportFor(none, null, many)!.report.peers).toHaveLength(64);
  });
});

describe('startReporter (the schedule)', () => {
  it('looks at health every few seconds, handshakes every 30 s, retries what did not arrive, sends nothing unchanged', async () => {
    vi.useFakeTimers();
    try {
      const posted: Report[] = [];
      let up = false;
      let health = well;
      let handshake: string | null = null;
      const statsCalls = vi.fn(async () => stats(handshake));
      const r = startReporter({
        server: 'http://cp', hostToken: 't', health: () => health, stats: statsCalls,
        post: async (report) => { if (!up) return false; posted.push(report); return true; },
      });
      await vi.advanceTimersByTimeAsync(1);
      expect(posted).toEqual([]); // the control plane is down: nothing recorded as sent
      up = true;
      await vi.advanceTimersByTimeAsync(5_000); // the next health look retries it
      expect(posted).toEqual([{ health: well }]);
      health = repaired;
      r.poke(); // after a reconcile: at once
      await vi.advanceTimersByTimeAsync(1);
      expect(posted.at(-1)).toEqual({ health: repaired });
      await vi.advanceTimersByTimeAsync(20_000);
      expect(posted).toHaveLength(2); // nothing changed
      expect(statsCalls).toHaveBeenCalledTimes(1); // wg show at start, then every 30 s only
      handshake = '2026-12-02T13:00:00.000Z';
      await vi.advanceTimersByTimeAsync(10_000);
      expect(statsCalls).toHaveBeenCalledTimes(2);
      expect(posted.at(-1)?.peers).toEqual([{ publicKey: 'k1', latestHandshake: handshake, rxBytes: 0, txBytes: 0 }]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(posted).toHaveLength(3);
      expect(r.sent()).toBe(3);
      await r.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
