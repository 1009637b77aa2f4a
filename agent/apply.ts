import ipaddr from 'ipaddr.js';
import { renderNftables } from '../lib/core/firewall/nftables';
import { decidePush } from '../lib/core/protocol/decide-push';
import { type HostConfig, deriveHostConfig } from '../lib/core/protocol/host-config';
import { type AgentHealth, maxListedPeers } from '../lib/core/protocol/messages';
import type { NetworkState } from '../lib/core/protocol/network-state';
import { verifyEnvelope } from '../lib/core/protocol/signing';
import { renderWgHostConf, wgSetArgs } from '../lib/core/protocol/wg-host-conf';
import { driftOf, envText, normalizeNft } from './reconcile';
import type { AppliedStore } from './state';
import type { System } from './system';

/*
 * verify → check target, network and version → build the next state → apply → persist.
 * Every refusal happens before the first system call, so a refused push applies nothing.
 * Pushes run one at a time (a promise chain), so two concurrent pushes can never
 * interleave their commands or move the applied version backwards.
 *
 * Reconcile: the live machine is compared with the applied config (reconcile.ts) at start,
 * after every apply, on a timer and on netlink events (cli.ts); any difference is repaired
 * with a full sync from the applied document, no push needed, and reported in `health()`.
 */

export type PushAnswer = { status: number; body: Record<string, unknown> };
export interface DnsSink {
  update(listenIp: string, dns: HostConfig['dns'], cidr: string, rebind: boolean): Promise<void>;
  /** Whether the responder is bound on that address right now. */
  serving(listenIp: string): boolean;
}

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
  log?: (line: string) => void;
};

export type ReconcileResult = { drift: string[]; repaired: boolean };

export class Applier {
  private queue: Promise<unknown> = Promise.resolve();
  private current: { state: NetworkState; config: HostConfig | null } | null = null;
  private loaded = false;
  // The machine may not match what we last applied (reboot, failed apply): resync fully.
  private needFullSync = true;
  private nftBaseline: string | null = null;
  private drift: string[] = [];
  private lastRepair: AgentHealth['lastRepair'] = null;
  private lastApplyError: string | null = null;
  private damaged: string | null = null; // a state file moved aside: waiting for a snapshot
  private controlPlaneProblem: string | null = null;

  constructor(private readonly deps: ApplierDeps) {}

  /** What /healthz and every answer report; the first problem found is the reason. */
  health(): AgentHealth {
    const reason = this.damaged ? `${this.damaged}; waiting for a full snapshot from the control plane`
      : this.lastApplyError ? `last apply failed: ${this.lastApplyError}`
        : this.drift.length > 0 ? `differs from the applied config: ${this.drift.join('; ')}`
          : this.controlPlaneProblem ?? undefined;
    return { ok: reason === undefined, ...(reason ? { reason } : {}), drift: [...this.drift], lastRepair: this.lastRepair };
  }

  /** Set by the control-plane probe (cli.ts): null when it answered. */
  setControlPlaneProblem(problem: string | null): void {
    this.controlPlaneProblem = problem;
  }

  /**
   * Compares the machine with the applied config and repairs any difference with a full sync.
   * Serialized with pushes, so it never runs in the middle of one.
   */
  reconcile(trigger: string): Promise<ReconcileResult> {
    return this.serialize(() => this.check(trigger));
  }

  push(envelope: unknown): Promise<PushAnswer> {
    return this.serialize(async () => {
      const answer = await this.handle(envelope);
      // Health goes to whoever holds a signed document (not to anyone posting junk).
      if (answer.status !== 400 && answer.status !== 401) answer.body.health ??= this.health();
      return answer;
    });
  }

  /** At start: re-apply the last applied document (the interface may be gone after a reboot). */
  restore(): Promise<number | null> {
    return this.serialize(async () => {
      await this.load();
      if (!this.current?.config) return null;
      const config = deriveHostConfig(this.current.state, this.deps.peerId, this.now());
      try {
        await this.applyConfig(config, true);
      } catch (e) {
        this.lastApplyError = this.redact(e instanceof Error ? e.message : String(e));
        throw e;
      }
      this.current.config = config;
      await this.check('start');
      return this.current.state.version;
    });
  }

  /** The `wg show` figures an answer carries, for the channel's reports (agent/report.ts). */
  stats(): ReturnType<Applier['peerStats']> {
    return this.peerStats();
  }

  appliedVersion(): number | null {
    return this.current?.state.version ?? null;
  }

  private async handle(envelope: unknown): Promise<PushAnswer> {
    const { peerId } = this.deps;
    // The signature is checked before anything is loaded: junk costs no disk read.
    const verified = verifyEnvelope(envelope, this.deps.signingPublicKey);
    if (verified.ok) await this.load();
    const applied = this.current?.state ?? null;
    const appliedVersion = applied?.version ?? null;
    const decision = decidePush(applied, envelope, peerId, { verify: () => verified });
    if (!decision.ok) {
      const known = decision.status === 409 ? { appliedVersion } : {};
      return fail(decision.status, decision.code, decision.message, known);
    }
    const { message: msg, next } = decision;
    const config = deriveHostConfig(next, peerId, this.now());
    try {
      await this.applyConfig(config, msg.type === 'snapshot');
      await this.deps.store.save({ version: next.version, state: next });
    } catch (e) {
      this.needFullSync = true;
      this.lastApplyError = this.redact(e instanceof Error ? e.message : String(e));
      return fail(500, 'apply_failed', this.lastApplyError, { appliedVersion });
    }
    this.current = { state: next, config };
    this.lastApplyError = null;
    if (msg.type === 'snapshot') this.damaged = null;
    await this.check('apply');
    return { status: 200, body: { appliedVersion: next.version, ...(await this.peerStats()) } };
  }

  private async check(trigger: string): Promise<ReconcileResult> {
    if (!this.current?.config) return { drift: [], repaired: false };
    const found = await this.driftNow(trigger === 'apply' || trigger === 'start');
    if (found.length === 0) {
      this.drift = [];
      return { drift: [], repaired: false };
    }
    const log = this.deps.log ?? (() => {});
    log(`drift found (${trigger}): ${found.join('; ')}; repairing with a full sync from the applied version ${this.current.state.version}`);
    const at = this.now().toISOString();
    try {
      // Leases are re-rendered for now, so a repair never reopens an expired one.
      const config = deriveHostConfig(this.current.state, this.deps.peerId, this.now());
      this.needFullSync = true;
      const created = await this.applyConfig(config, true);
      this.current.config = config;
      this.drift = await this.driftNow(true);
      // Peers we can reach (with an endpoint) get a packet, so the new interface shakes hands now.
      if (created) await this.deps.system.nudge(this.current.state.hosts.filter((h) => h.peerId !== this.deps.peerId && h.publicKey && h.endpoint).map((h) => h.ip));
    } catch (e) {
      this.needFullSync = true;
      this.drift = found;
      this.lastRepair = { at, found, ok: false };
      log(`repair failed: ${this.redact(e instanceof Error ? e.message : String(e))}`);
      return { drift: found, repaired: false };
    }
    this.lastRepair = { at, found, ok: this.drift.length === 0 };
    log(this.drift.length === 0 ? `repaired: ${found.join('; ')}` : `repair left differences: ${this.drift.join('; ')}`);
    return { drift: this.drift, repaired: this.drift.length === 0 };
  }

  /** The differences now; `baseline` takes the nft listing as the new reference first. */
  private async driftNow(baseline: boolean): Promise<string[]> {
    const config = this.current!.config!;
    const live = await this.deps.system.inspect(this.deps.interfaceName, this.deps.envFile);
    if (baseline && live.nft !== null) this.nftBaseline = normalizeNft(live.nft);
    return driftOf({
      config, privateKey: this.deps.privateKey, envText: envText(config), nftBaseline: this.nftBaseline,
      dnsServing: this.deps.dns ? this.deps.dns.serving(config.address.split('/')[0]) : true,
    }, live);
  }

  /** Resolves true when the interface had to be created. */
  private async applyConfig(config: HostConfig, snapshot: boolean): Promise<boolean> {
    const { system: s, interfaceName: ifn } = this.deps;
    const prev = this.current?.config ?? null;
    // A new interface has no key, port or peers: a delta on it would leave it empty.
    const created = await s.ensureInterface(ifn);
    if (created || snapshot || this.needFullSync || !prev) {
      await s.syncConf(ifn, renderWgHostConf(config, this.deps.privateKey));
    } else {
      const port = prev.listenPort !== config.listenPort ? config.listenPort : undefined;
      for (const args of wgSetArgs(prev.peers, config.peers, port)) await s.wgSet(ifn, args);
    }
    await s.setAddress(ifn, config.address);
    await s.linkUp(ifn);
    await s.ensureRoute(ifn, config.address);
    await s.nftApply(renderNftables({
      ...config.firewall, guard: { ip: config.address.split('/')[0], interface: ifn },
      ...(config.policy ? { policy: { interface: ifn, ...config.policy } } : {}),
    }));
    // Forwarding is only ever switched off if we switched it on (a host may need it for others).
    if (config.forward || prev?.forward) await s.setForwarding(config.forward);
    await s.writeEnvFile(this.deps.envFile, envText(config));
    // A new interface means new addresses: sockets bound to the old ones are rebound.
    await this.deps.dns?.update(config.address.split('/')[0], config.dns, cidrOf(config.address), created);
    this.needFullSync = false;
    return created;
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
    const { applied, damaged } = await this.deps.store.load();
    if (damaged) {
      this.damaged = damaged;
      this.deps.log?.(`${damaged}; starting without an applied version: the next push gets a full snapshot`);
    }
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

function cidrOf(address: string): string {
  return `${ipaddr.IPv4.networkAddressFromCIDR(address).toString()}/${address.split('/')[1]}`;
}

function fail(status: number, code: string, message: string, extra: Record<string, unknown> = {}): PushAnswer {
  return { status, body: { error: { code, message }, ...extra } };
}
