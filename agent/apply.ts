import { renderNftables } from '../lib/firewall/nftables';
import { applyDelta } from '../lib/protocol/diff';
import { type HostConfig, deriveHostConfig } from '../lib/protocol/host-config';
import { maxListedPeers } from '../lib/protocol/messages';
import type { NetworkState } from '../lib/protocol/network-state';
import { verifyEnvelope } from '../lib/protocol/signing';
import { renderWgHostConf, wgSetArgs } from '../lib/protocol/wg-host-conf';
import type { AppliedStore } from './state';
import type { System } from './system';

/*
 * verify → check target, network and version → build the next state → apply → persist.
 * Every refusal happens before the first system call, so a refused push applies nothing.
 * Pushes run one at a time (a promise chain), so two concurrent pushes can never
 * interleave their commands or move the applied version backwards.
 */

export type PushAnswer = { status: number; body: Record<string, unknown> };
export interface DnsSink { update(listenIp: string, dns: HostConfig['dns']): Promise<void> }

export type ApplierDeps = {
  system: System;
  store: AppliedStore;
  peerId: string;
  signingPublicKey: string;
  privateKey: string;
  interfaceName: string;
  envFile: string;
  dns?: DnsSink;
  now?: () => Date;
};

export class Applier {
  private queue: Promise<unknown> = Promise.resolve();
  private current: { state: NetworkState; config: HostConfig | null } | null = null;
  private loaded = false;
  // The machine may not match what we last applied (reboot, failed apply): resync fully.
  private needFullSync = true;

  constructor(private readonly deps: ApplierDeps) {}

  push(envelope: unknown): Promise<PushAnswer> {
    return this.serialize(() => this.handle(envelope));
  }

  /** At start: re-apply the last applied document (the interface may be gone after a reboot). */
  restore(): Promise<number | null> {
    return this.serialize(async () => {
      await this.load();
      if (!this.current?.config) return null;
      const config = deriveHostConfig(this.current.state, this.deps.peerId, this.now());
      await this.applyConfig(config, true);
      this.current.config = config;
      return this.current.state.version;
    });
  }

  appliedVersion(): number | null {
    return this.current?.state.version ?? null;
  }

  private async handle(envelope: unknown): Promise<PushAnswer> {
    const { peerId } = this.deps;
    const v = verifyEnvelope(envelope, this.deps.signingPublicKey);
    if (!v.ok) return fail(v.code === 'malformed' ? 400 : 401, v.code, v.message);
    if (v.target !== peerId) return fail(421, 'wrong_target', `this agent is ${peerId}, not ${v.target}`);
    await this.load();
    const msg = v.message;
    const applied = this.current?.state ?? null;
    const appliedVersion = applied?.version ?? null;
    if (applied && msg.networkId !== applied.networkId) return fail(421, 'wrong_target', `this agent belongs to ${applied.networkId}`);
    if (appliedVersion !== null && msg.version <= appliedVersion) {
      return fail(409, 'stale', `version ${msg.version} is not newer than applied ${appliedVersion}`, { appliedVersion });
    }
    let next: NetworkState;
    if (msg.type === 'delta') {
      if (!applied || msg.fromVersion !== applied.version) {
        return fail(409, 'need_snapshot', `delta from ${msg.fromVersion}, applied is ${appliedVersion ?? 'none'}`, { appliedVersion });
      }
      next = applyDelta(applied, msg);
    } else {
      next = msg.state;
    }
    if (!next.hosts.some((h) => h.peerId === peerId)) {
      return fail(421, 'wrong_target', `${peerId} is not a host of ${next.networkId} at version ${next.version}`);
    }
    const config = deriveHostConfig(next, peerId, this.now());
    try {
      await this.applyConfig(config, msg.type === 'snapshot');
      await this.deps.store.save({ version: next.version, state: next });
    } catch (e) {
      this.needFullSync = true;
      return fail(500, 'apply_failed', this.redact(e instanceof Error ? e.message : String(e)), { appliedVersion });
    }
    this.current = { state: next, config };
    return { status: 200, body: { appliedVersion: next.version, ...(await this.peerStats()) } };
  }

  private async applyConfig(config: HostConfig, snapshot: boolean): Promise<void> {
    const { system: s, interfaceName: ifn } = this.deps;
    const prev = this.current?.config ?? null;
    await s.ensureInterface(ifn);
    if (snapshot || this.needFullSync || !prev) {
      await s.syncConf(ifn, renderWgHostConf(config, this.deps.privateKey));
    } else {
      const port = prev.listenPort !== config.listenPort ? config.listenPort : undefined;
      for (const args of wgSetArgs(prev.peers, config.peers, port)) await s.wgSet(ifn, args);
    }
    await s.setAddress(ifn, config.address);
    await s.linkUp(ifn);
    await s.nftApply(renderNftables(config.firewall));
    // Forwarding is only ever switched off if we switched it on (a host may need it for others).
    if (config.forward || prev?.forward) await s.setForwarding(config.forward);
    await s.writeEnvFile(this.deps.envFile, Object.entries(config.env).map(([k, v]) => `${k}=${v}\n`).join(''));
    await this.deps.dns?.update(config.address.split('/')[0], config.dns);
    this.needFullSync = false;
  }

  /**
   * `wg show` figures: totals over every peer, and the most recently active peers one by one.
   * The list is capped so that an answer stays small however many peers talk: in a busy
   * 5,000-host mesh a full list made every round parse gigabytes.
   */
  private async peerStats() {
    let dump: string;
    try {
      dump = await this.deps.system.wgShowDump(this.deps.interfaceName);
    } catch {
      return { peers: [] }; // the figures are informative; the apply itself succeeded
    }
    const all = dump.trim().split('\n').slice(1).map((line) => {
      const [publicKey, , , , handshake, rx, tx] = line.split('\t');
      return { publicKey, handshake: Number(handshake), rxBytes: Number(rx) || 0, txBytes: Number(tx) || 0 };
    });
    const talking = all.filter((p) => p.handshake > 0).sort((a, b) => b.handshake - a.handshake);
    const latest = talking[0]?.handshake;
    return {
      totals: {
        latestHandshake: latest ? new Date(latest * 1000).toISOString() : null,
        rxBytes: all.reduce((n, p) => n + p.rxBytes, 0),
        txBytes: all.reduce((n, p) => n + p.txBytes, 0),
        peersWithHandshake: talking.length,
      },
      peers: talking.slice(0, maxListedPeers).map(({ publicKey, handshake, rxBytes, txBytes }) => ({
        publicKey, latestHandshake: new Date(handshake * 1000).toISOString(), rxBytes, txBytes,
      })),
    };
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    const applied = await this.deps.store.load();
    if (applied) {
      // The version guards replays even if the stored document were somehow not ours.
      const ours = applied.state.hosts.some((h) => h.peerId === this.deps.peerId);
      this.current = { state: applied.state, config: ours ? deriveHostConfig(applied.state, this.deps.peerId, this.now()) : null };
    }
    this.loaded = true;
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private redact(text: string): string {
    return text.split(this.deps.privateKey).join('[private key]');
  }
}

function fail(status: number, code: string, message: string, extra: Record<string, unknown> = {}): PushAnswer {
  return { status, body: { error: { code, message }, ...extra } };
}
