import type { HostConfig, HostPeer } from './host-config';

/*
 * The text `wg syncconf` reads (wg(8) format, not wg-quick: no Address/DNS lines, those are
 * applied with `ip` and the agent's resolver). The private key is merged in by the agent,
 * which is the only place it exists.
 */
export function renderWgHostConf(config: Pick<HostConfig, 'listenPort' | 'peers'>, privateKey: string): string {
  const lines = ['[Interface]', `PrivateKey = ${privateKey}`, `ListenPort = ${config.listenPort}`];
  for (const p of config.peers) lines.push('', ...peerBlock(p));
  return `${lines.join('\n')}\n`;
}

function peerBlock(p: HostPeer): string[] {
  const out = ['[Peer]', `PublicKey = ${p.publicKey}`, `AllowedIPs = ${p.allowedIps.join(', ')}`];
  if (p.endpoint) out.push(`Endpoint = ${p.endpoint}`);
  if (p.persistentKeepalive) out.push(`PersistentKeepalive = ${keepalive(p.persistentKeepalive)}`);
  return out;
}

/**
 * The `wg set` argument lists that turn peers `from` into peers `to` (for deltas): removed
 * peers, then added or changed ones; `allowed-ips` replaces a peer's list in `wg set`.
 * A keepalive that goes is turned `off`. Returns [] when nothing changed. A peer that loses its endpoint cannot be expressed in
 * `wg set` (there is no "no endpoint"), so it is removed, then re-added by a later call.
 * Calls are cut at `perCall` peers to stay far below the kernel's argument limits.
 */
export function wgSetArgs(from: HostPeer[], to: HostPeer[], listenPort?: number, perCall = 200): string[][] {
  const before = new Map(from.map((p) => [p.publicKey, p]));
  const after = new Set(to.map((p) => p.publicKey));
  const first: string[][] = [];
  const second: string[][] = [];
  for (const p of from) if (!after.has(p.publicKey)) first.push(['peer', p.publicKey, 'remove']);
  for (const p of to) {
    const old = before.get(p.publicKey);
    if (old && samePeer(old, p)) continue;
    if (old?.endpoint && !p.endpoint) {
      first.push(['peer', p.publicKey, 'remove']);
      second.push(peerArgs(p));
    } else {
      const args = peerArgs(p);
      if (old?.persistentKeepalive && !p.persistentKeepalive) args.push('persistent-keepalive', 'off');
      first.push(args);
    }
  }
  const calls = [...chunk(first, perCall), ...chunk(second, perCall)].map((ops) => ops.flat());
  if (listenPort !== undefined) {
    if (calls.length === 0) calls.push([]);
    calls[0].unshift('listen-port', String(listenPort));
  }
  return calls;
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function peerArgs(p: HostPeer): string[] {
  const args = ['peer', p.publicKey, 'allowed-ips', p.allowedIps.join(',')];
  if (p.endpoint) args.push('endpoint', p.endpoint);
  if (p.persistentKeepalive) args.push('persistent-keepalive', String(keepalive(p.persistentKeepalive)));
  return args;
}

function samePeer(a: HostPeer, b: HostPeer): boolean {
  return a.endpoint === b.endpoint && (a.persistentKeepalive ?? 0) === (b.persistentKeepalive ?? 0) && a.allowedIps.join(',') === b.allowedIps.join(',');
}

/** wg takes 1–65535 seconds. */
function keepalive(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 65535) throw new Error(`bad persistent keepalive ${seconds}`);
  return seconds;
}
