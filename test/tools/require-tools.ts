import { accessSync, constants } from 'node:fs';
import path from 'node:path';

// Tests against the real tools must fail, not skip, when a tool is missing: a skipped test
// looks like a passing one in a summary. Call these in beforeAll.

const packageOf: Record<string, string> = {
  wg: 'wireguard-tools',
  'wg-quick': 'wireguard-tools',
  'wireguard-go': 'wireguard-go',
  ip: 'iproute2',
};

// Root's PATH has the sbin directories; a user's often does not, though `ip` lives there.
const extraDirs = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export function findTool(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Throws, naming the Debian packages to install, when any of the tools is not on PATH. */
export function requireTools(names: string[]): void {
  const missing = names.filter((name) => findTool(name) === null);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((name) => packageOf[name] ?? name))];
  throw new Error(
    `Missing ${missing.join(', ')}: these tests run the real tools. ` +
      `Install them with: apt-get install -y ${packages.join(' ')}`,
  );
}

/** Throws unless running as root, which network namespaces and interfaces need. */
export function requireRoot(): void {
  if (process.getuid?.() === 0) return;
  throw new Error(
    'These tests create network namespaces and WireGuard interfaces and must run as root ' +
      '(e.g. sudo npx vitest run test/tools).',
  );
}

/** Throws unless /dev/net/tun exists, which wireguard-go needs to create an interface. */
export function requireTun(): void {
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(
      'wireguard-go needs /dev/net/tun: run on a machine (or a container started with ' +
        '--device /dev/net/tun --cap-add NET_ADMIN) that has it.',
    );
  }
}
