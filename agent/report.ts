import type { AgentHealth } from '../lib/core/protocol/messages';
import { httpRequest } from './http-client';

/*
 * Reports over the channel (docs/agent-protocol.md, "Reports"): between documents the agent
 * POSTs `/api/agent/v1/report` with its health when that changed (ok, reason, the last
 * repair) and its WireGuard handshakes when they moved (totals and at most 64 peers, as in
 * an answer), so a host with no push port still shows "repaired 2 min ago: …" and devices
 * stay "connected" while nothing changes. Health is looked at every few seconds (and at once
 * after a reconcile, `poke`); handshakes every 30 s. Nothing is sent when nothing changed; a
 * report that did not arrive is sent again at the next look.
 */

export type PeerStats = {
  totals?: { latestHandshake: string | null; rxBytes: number; txBytes: number; peersWithHandshake?: number };
  peers: { publicKey: string; latestHandshake: string; rxBytes?: number; txBytes?: number }[];
};
export type Report = { health?: AgentHealth; totals?: PeerStats['totals']; peers?: PeerStats['peers'] };

/** What of the health is worth a report: the drift list changes its reason too. */
export const healthKey = (h: AgentHealth) => JSON.stringify([h.ok, h.reason ?? null, h.lastRepair]);
/** Handshakes moved when a peer's (or the latest) handshake time changed; bytes alone do not count. */
export const handshakesKey = (s: PeerStats) =>
  JSON.stringify([s.totals?.latestHandshake ?? null, s.peers.map((p) => `${p.publicKey}@${p.latestHandshake}`).sort()]);

/** Pure: the report to send given what was last sent (keys), or null when nothing changed. */
export function reportFor(sent: { health: string | null; handshakes: string | null },
  health: AgentHealth | null, stats: PeerStats | null): { report: Report; keys: { health: string | null; handshakes: string | null } } | null {
  const report: Report = {};
  const keys = { ...sent };
  if (health) {
    const k = healthKey(health);
    if (k !== sent.health) { report.health = health; keys.health = k; }
  }
  if (stats) {
    const k = handshakesKey(stats);
    if (k !== sent.handshakes && (stats.totals || stats.peers.length > 0)) {
      report.totals = stats.totals;
      report.peers = stats.peers.slice(0, 64);
      keys.handshakes = k;
    }
  }
  return report.health || report.peers ? { report, keys } : null;
}

export type ReporterOptions = {
  server: string;
  hostToken: string;
  health: () => AgentHealth;
  stats: () => Promise<PeerStats>;
  healthEveryMs?: number;
  handshakesEveryMs?: number;
  log?: (line: string) => void;
  post?: (report: Report) => Promise<boolean>;
};

export type Reporter = { poke: () => void; close: () => Promise<void>; sent: () => number };

export function startReporter(opts: ReporterOptions): Reporter {
  const base = opts.server.replace(/\/+$/, '');
  const stop = new AbortController();
  // node:http, as the channel does: fetch would load undici (about 8 MB) into an idle agent.
  const post = opts.post ?? (async (report: Report) => {
    const res = await httpRequest(`${base}/api/agent/v1/report`, {
      method: 'POST', headers: { authorization: `Bearer ${opts.hostToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(report), signal: stop.signal, timeoutMs: 15_000, maxBytes: 64 << 10,
    });
    return res.status >= 200 && res.status < 300;
  });
  let sent = { health: null as string | null, handshakes: null as string | null };
  let count = 0;
  let failing = false;
  let running: Promise<void> = Promise.resolve();
  let lastStats = 0;
  const look = (withStats: boolean) => {
    running = running.then(async () => {
      if (stop.signal.aborted) return;
      let stats: PeerStats | null = null;
      if (withStats) {
        lastStats = Date.now();
        stats = await opts.stats().catch(() => null);
      }
      const next = reportFor(sent, opts.health(), stats);
      if (!next) return;
      const ok = await post(next.report).catch(() => false);
      if (ok) {
        sent = next.keys;
        count++;
        if (failing) opts.log?.('reports to the control plane arrive again');
        failing = false;
      } else if (!failing && !stop.signal.aborted) {
        failing = true;
        opts.log?.('could not report health and handshakes to the control plane; trying again');
      }
    });
  };
  const handshakesEvery = opts.handshakesEveryMs ?? 30_000;
  const timer = setInterval(() => look(Date.now() - lastStats >= handshakesEvery), opts.healthEveryMs ?? 5_000);
  timer.unref?.();
  look(true);
  return {
    poke: () => look(false),
    sent: () => count,
    close: async () => { clearInterval(timer); stop.abort(); await running; },
  };
}
