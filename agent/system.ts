import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { nftTable } from '../lib/core/firewall/nftables';
import { atomicWrite } from './state';

/*
 * Every side effect of the agent on the machine, behind one small interface: unit tests use
 * FakeSystem (fake-system.ts) without root; RealSystem runs the real tools. `netns` runs
 * every command inside a network namespace (tests use it; in production it is unset).
 */
export interface System {
  /** True when the interface had to be created (it then has no key, port or peers yet). */
  ensureInterface(name: string): Promise<boolean>;
  syncConf(name: string, text: string): Promise<void>;
  wgSet(name: string, args: string[]): Promise<void>;
  setAddress(name: string, cidr: string): Promise<void>;
  linkUp(name: string): Promise<void>;
  /** The route to the address's prefix through the interface (after linkUp). */
  ensureRoute(name: string, cidr: string): Promise<void>;
  nftApply(script: string): Promise<void>;
  setForwarding(on: boolean): Promise<void>;
  wgShowDump(name: string): Promise<string>;
  writeEnvFile(path: string, text: string): Promise<void>;
  /** What the machine runs now, to compare with what was applied (agent/reconcile.ts). */
  inspect(name: string, envFile: string): Promise<LiveState>;
  /**
   * One empty datagram to each of these tunnel addresses, so that a re-created interface
   * starts its handshakes at once (peers would otherwise keep sending on a session it no
   * longer knows until their ~15 s rekey timeout).
   */
  nudge(ips: string[]): Promise<void>;
  /** Calls `onEvent` on every netlink link event naming the interface; returns a stop function. */
  watchLinks(name: string, onEvent: () => void): () => void;
}

/** `persistentKeepalive`: seconds, 0 when off. */
export type LivePeer = { publicKey: string; endpoint: string | null; allowedIps: string[]; persistentKeepalive: number };
export type LiveState = {
  exists: boolean;
  up: boolean;
  wg: { privateKey: string; listenPort: number; peers: LivePeer[] } | null;
  addresses: string[]; // IPv4 CIDRs on the interface
  routes: string[]; // IPv4 destinations routed to the interface
  nft: string | null; // `nft list table inet meshplane`, null when the table is absent
  env: string | null; // the env file's text, null when missing
};

/** `wg show <if> dump` → the interface's key, port and peers. */
export function parseWgDump(dump: string): NonNullable<LiveState['wg']> {
  const [head, ...lines] = dump.trim().split('\n');
  const [privateKey, , port] = (head ?? '').split('\t');
  const peers = lines.filter(Boolean).map((line) => {
    const [publicKey, , endpoint, allowed, , , , keepalive] = line.split('\t');
    return {
      publicKey, endpoint: endpoint === '(none)' ? null : endpoint,
      allowedIps: allowed === '(none)' || !allowed ? [] : allowed.split(','),
      persistentKeepalive: Number(keepalive) || 0, // 'off' → 0
    };
  });
  return { privateKey: privateKey === '(none)' ? '' : privateKey, listenPort: Number(port) || 0, peers };
}

/** A failed tool run; the message carries the tool's stderr (never our secrets: keys go in files). */
export class SystemError extends Error {}

export class RealSystem implements System {
  constructor(private readonly opts: { netns?: string; timeoutMs?: number } = {}) {}

  async ensureInterface(name: string): Promise<boolean> {
    if (await this.linkExists(name)) return false;
    try {
      await this.run('ip', ['link', 'add', name, 'type', 'wireguard']); // kernel WireGuard
    } catch {
      await this.startWireguardGo(name);
    }
    return true;
  }

  async syncConf(name: string, text: string): Promise<void> {
    // A 0600 file in a private directory: the private key never appears in argv or a pipe name.
    const dir = await mkdtemp(join(tmpdir(), 'meshplane-'));
    const file = join(dir, `${name}.conf`);
    try {
      await writeFile(file, text, { mode: 0o600 });
      await this.run('wg', ['syncconf', name, file]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async wgSet(name: string, args: string[]): Promise<void> {
    await this.run('wg', ['set', name, ...args]);
  }

  async setAddress(name: string, cidr: string): Promise<void> {
    // `replace` keeps a current address without a gap; addresses we no longer own go away.
    const out = await this.run('ip', ['-j', '-4', 'addr', 'show', 'dev', name]);
    const current = (JSON.parse(out || '[]') as { addr_info?: { local: string; prefixlen: number }[] }[])
      .flatMap((l) => l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
    for (const old of current) if (old !== cidr) await this.run('ip', ['addr', 'del', old, 'dev', name]);
    await this.run('ip', ['addr', 'replace', cidr, 'dev', name]);
  }

  async ensureRoute(name: string, cidr: string): Promise<void> {
    // The prefix route comes with a new address, not with a `replace` of an existing one: a
    // route deleted by hand comes back only this way. The link must be up.
    const [ip, bits] = cidr.split('/');
    const net = `${ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()}/${bits}`;
    await this.run('ip', ['route', 'replace', net, 'dev', name, 'proto', 'kernel', 'scope', 'link', 'src', ip]);
  }

  async linkUp(name: string): Promise<void> {
    await this.run('ip', ['link', 'set', name, 'up']);
  }

  async nftApply(script: string): Promise<void> {
    await this.run('nft', ['-f', '-'], script);
  }

  async setForwarding(on: boolean): Promise<void> {
    // Through a command (not fs) so that it lands in the namespace the command runs in;
    // sh rather than sysctl because minimal images lack procps.
    await this.run('sh', ['-c', `echo ${on ? 1 : 0} > /proc/sys/net/ipv4/ip_forward`]);
  }

  async wgShowDump(name: string): Promise<string> {
    return this.run('wg', ['show', name, 'dump']);
  }

  async writeEnvFile(path: string, text: string): Promise<void> {
    await atomicWrite(path, text, 0o644); // readers never see half a file, nor a crash one
  }

  async inspect(name: string, envFile: string): Promise<LiveState> {
    const env = await readFile(envFile, 'utf8').catch(() => null);
    const nft = await this.run('nft', ['list', 'table', 'inet', nftTable]).catch(() => null);
    let link: { flags?: string[] }[];
    try {
      link = JSON.parse(await this.run('ip', ['-j', 'link', 'show', 'dev', name]) || '[]');
    } catch {
      return { exists: false, up: false, wg: null, addresses: [], routes: [], nft, env };
    }
    const wg = await this.run('wg', ['show', name, 'dump']).then(parseWgDump, () => null);
    const addrs = JSON.parse(await this.run('ip', ['-j', '-4', 'addr', 'show', 'dev', name]) || '[]') as { addr_info?: { local: string; prefixlen: number }[] }[];
    const routes = JSON.parse(await this.run('ip', ['-j', '-4', 'route', 'show', 'dev', name]) || '[]') as { dst: string }[];
    return {
      exists: true, up: (link[0]?.flags ?? []).includes('UP'), wg,
      addresses: addrs.flatMap((l) => l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`),
      routes: routes.map((r) => r.dst), nft, env,
    };
  }

  async nudge(ips: string[]): Promise<void> {
    if (this.opts.netns) return; // only the agent's own namespace can be reached from here
    const sock = dgram.createSocket('udp4');
    sock.on('error', () => {});
    try {
      // Port 9 (discard): nothing listens; the packet only has to enter the tunnel.
      await Promise.all(ips.map((ip) => new Promise<void>((r) => sock.send(Buffer.alloc(0), 9, ip, () => r()))));
    } finally {
      sock.close();
    }
  }

  watchLinks(name: string, onEvent: () => void): () => void {
    let stopped = false;
    let child: ReturnType<typeof spawn> | null = null;
    const start = () => {
      if (stopped) return;
      const [cmd, args] = this.wrap('ip', ['-o', 'monitor', 'link']);
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
      child.on('error', () => {}); // no `ip`: the 15 s timer still reconciles
      let rest = '';
      child.stdout?.on('data', (c: Buffer) => {
        const lines = (rest + c.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        if (lines.some((l) => new RegExp(`^(Deleted )?\\d+: ${name.replace(/[.]/g, '\\.')}[:@]`).test(l))) onEvent();
      });
      // A monitor that dies is restarted (after a pause, so a broken `ip` cannot spin).
      child.on('exit', () => { if (!stopped) setTimeout(start, 5000).unref(); });
    };
    start();
    return () => {
      stopped = true;
      child?.kill();
    };
  }

  private async linkExists(name: string): Promise<boolean> {
    try {
      await this.run('ip', ['link', 'show', 'dev', name]);
      return true;
    } catch {
      return false;
    }
  }

  private async startWireguardGo(name: string): Promise<void> {
    const [cmd, args] = this.wrap('wireguard-go', [name]);
    // Detached with ignored stdio: wireguard-go daemonizes, and dies if its pipe closes.
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.unref();
    child.on('error', () => {}); // reported below as a missing interface
    // The link appears before wireguard-go's control socket does: `wg` right after the link
    // alone fails with "Protocol not supported" (it falls back to kernel netlink).
    for (let i = 0; i < 50; i++) { // at most ~5 s
      if (existsSync(`/var/run/wireguard/${name}.sock`) && await this.linkExists(name)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new SystemError(`interface ${name} did not appear: no kernel WireGuard, and wireguard-go failed `
      + `(is it installed, is /dev/net/tun present, or is /var/run/wireguard/${name}.sock taken by another namespace?)`);
  }

  private wrap(cmd: string, args: string[]): [string, string[]] {
    return this.opts.netns ? ['ip', ['netns', 'exec', this.opts.netns, cmd, ...args]] : [cmd, args];
  }

  private run(cmd: string, args: string[], input?: string): Promise<string> {
    const [c, a] = this.wrap(cmd, args);
    return new Promise((resolve, reject) => {
      const child = execFile(c, a, { timeout: this.opts.timeoutMs ?? 15_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new SystemError(`${cmd} ${args[0] ?? ''} failed: ${String(stderr).trim() || err.message}`));
        else resolve(String(stdout));
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }
}
