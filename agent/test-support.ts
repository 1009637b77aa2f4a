import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { findTool, requireTun } from '../test/tools/require-tools';

/*
 * Guards and helpers for the tests that use the real tools. A missing tool or missing root
 * FAILS the test with what to do: a skipped proof looks like a passed one in CI.
 * requireTools is ours because the shared helper does not know nft's or dig's packages.
 */

export { requireTun };

export function requireRoot(): void {
  if (process.getuid?.() === 0) return;
  throw new Error('this test uses network namespaces, WireGuard and nftables and must run as root: '
    + 'sudo npx vitest run agent lib/firewall');
}

const packageOf: Record<string, string> = {
  wg: 'wireguard-tools', 'wireguard-go': 'wireguard-go', nft: 'nftables', ip: 'iproute2',
  ping: 'iputils-ping', dig: 'dnsutils',
};

export function hasTool(name: string): boolean {
  return findTool(name) !== null;
}

export function requireTools(names: string[]): void {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((n) => packageOf[n] ?? n))].join(' ');
    throw new Error(`missing tools: ${missing.join(', ')}. Install them: apt-get install -y ${pkgs}`);
  }
}

/** A network namespace for one test; `remove` is safe to call twice. */
export function createNetns(prefix = 'mpt'): { name: string; exec: (cmd: string[], input?: string) => string; remove: () => void } {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name], { timeout: 5000 });
  let removed = false;
  return {
    name,
    // stderr captured: it lands in the error message instead of the test output.
    exec: (cmd, input) => execFileSync('ip', ['netns', 'exec', name, ...cmd], { input, timeout: 10_000, encoding: 'utf8', stdio: 'pipe' }),
    remove: () => {
      if (removed) return;
      removed = true;
      // Processes started inside this namespace by the test, stopped by pid. An agent being
      // stopped may start wireguard-go once more (it saw it go): listed again until none is
      // left, SIGKILL after a second, at most two seconds. Seen: a wireguard-go left running
      // in a deleted namespace after a clean-clone run.
      for (let round = 0; round < 20; round++) {
        const pids = netnsPids(name);
        if (pids.length === 0) break;
        for (const pid of pids) {
          try { process.kill(pid, round < 10 ? 'SIGTERM' : 'SIGKILL'); } catch { /* already gone */ }
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // remove() is synchronous
      }
      execFileSync('ip', ['netns', 'del', name], { timeout: 5000 });
    },
  };
}

function netnsPids(name: string): number[] {
  try {
    const out = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 5000 });
    return out.split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
