import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/*
 * Every side effect of the agent on the machine, behind one small interface: unit tests use
 * FakeSystem (fake-system.ts) without root; RealSystem runs the real tools. `netns` runs
 * every command inside a network namespace (tests use it; in production it is unset).
 */
export interface System {
  ensureInterface(name: string): Promise<void>;
  syncConf(name: string, text: string): Promise<void>;
  wgSet(name: string, args: string[]): Promise<void>;
  setAddress(name: string, cidr: string): Promise<void>;
  linkUp(name: string): Promise<void>;
  nftApply(script: string): Promise<void>;
  setForwarding(on: boolean): Promise<void>;
  wgShowDump(name: string): Promise<string>;
  writeEnvFile(path: string, text: string): Promise<void>;
}

/** A failed tool run; the message carries the tool's stderr (never our secrets: keys go in files). */
export class SystemError extends Error {}

export class RealSystem implements System {
  constructor(private readonly opts: { netns?: string; timeoutMs?: number } = {}) {}

  async ensureInterface(name: string): Promise<void> {
    if (await this.linkExists(name)) return;
    try {
      await this.run('ip', ['link', 'add', name, 'type', 'wireguard']); // kernel WireGuard
    } catch {
      await this.startWireguardGo(name);
    }
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
    const tmp = join(dirname(path), `.${Date.now()}.env.tmp`);
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path); // readers never see half a file
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
    for (let i = 0; i < 50; i++) { // at most ~5 s
      if (await this.linkExists(name)) return;
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
