import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFileName, renderClientConfig, type ClientPeer } from '../../lib/core/wireguard/client-config';
import { generateKeyPair, isWireGuardKey, publicKeyFromPrivate } from '../../lib/core/wireguard/keys';
import { requireRoot, requireTools, requireTun } from './require-tools';
import { parseWgConfig } from './wg-config';

// Our key and config code checked against the real WireGuard tools' own parsers.

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr || result.error}`);
  }
  return result.stdout;
}

function succeeds(command: string, args: string[], input?: string): boolean {
  return spawnSync(command, args, { input, stdio: ['pipe', 'ignore', 'ignore'], timeout: 10_000 }).status === 0;
}

const sortedList = (list: string) => list.split(',').map((s) => s.trim()).filter(Boolean).sort();

// Checked inside each test, not in beforeAll: a failed beforeAll reports its tests as skipped.
describe('keys agree with wg', () => {
  it('derives the same public key as wg pubkey, for our keys and for wg genkey keys', () => {
    requireTools(['wg']);
    for (let i = 0; i < 8; i++) {
      const { privateKey, publicKey } = generateKeyPair();
      expect(run('wg', ['pubkey'], privateKey).trim()).toBe(publicKey);
      const wgKey = run('wg', ['genkey']).trim();
      expect(publicKeyFromPrivate(wgKey)).toBe(run('wg', ['pubkey'], wgKey).trim());
    }
  });

  it('accepts exactly the keys wg accepts', () => {
    requireTools(['wg']);
    const key = generateKeyPair().privateKey;
    const candidates = [
      key, `${key.slice(0, 42)}B=`, `${key.slice(0, 42)}w=`, key.slice(0, 43), `${key.slice(0, 43)}==`,
      `${key.slice(0, 41)}-A=`, `${key.slice(0, 41)}_A=`, 'A'.repeat(44), `${'A'.repeat(43)}=`,
    ];
    for (const candidate of candidates) {
      expect([candidate, isWireGuardKey(candidate)]).toEqual([candidate, succeeds('wg', ['pubkey'], candidate)]);
    }
  });
});

describe('a rendered client config loads into a real WireGuard interface', () => {
  const namespace = `mp-t-${randomBytes(4).toString('hex')}`;
  const iface = `wgt${randomBytes(3).toString('hex')}`; // unique: wireguard-go's socket path is global
  let dir = '';
  let daemon: ChildProcess | undefined;
  let namespaceCreated = false;
  let setupFailure: unknown;
  const ready = () => {
    if (setupFailure) throw setupFailure;
  };

  beforeAll(() => setUp().catch((error) => (setupFailure = error)), 20_000);

  async function setUp() {
    requireRoot();
    requireTools(['wg', 'wg-quick', 'wireguard-go', 'ip']);
    requireTun();
    dir = mkdtempSync(path.join(tmpdir(), 'mp-wg-'));
    run('ip', ['netns', 'add', namespace]);
    namespaceCreated = true;
    // -f keeps wireguard-go in the foreground so `daemon.pid` is the process to stop later;
    // its output is ignored, never piped (it dies when a pipe closes).
    daemon = spawn('ip', ['netns', 'exec', namespace, 'wireguard-go', '-f', iface], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (succeeds('ip', ['netns', 'exec', namespace, 'wg', 'show', iface])) return;
      if (daemon.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`wireguard-go did not bring up ${iface} in ${namespace} (exit code ${daemon.exitCode})`);
  }

  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon!.once('exit', resolve));
      daemon.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    }
    if (namespaceCreated) spawnSync('ip', ['netns', 'del', namespace], { timeout: 10_000 });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  function writeConfig(name: string, text: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    chmodSync(file, 0o600); // wg-quick warns about a world-readable private key
    return file;
  }

  it('passes wg-quick strip, loads with wg setconf and reads back the same', () => {
    ready();
    const device = generateKeyPair();
    const peers: ClientPeer[] = [
      { publicKey: generateKeyPair().publicKey, endpoint: '198.51.100.7:51820', allowedIps: ['10.64.0.0/16'] },
      { publicKey: generateKeyPair().publicKey, endpoint: null, allowedIps: ['10.65.0.5/32', '10.66.0.0/24'] },
      { publicKey: generateKeyPair().publicKey, endpoint: '[2001:db8::1]:51821', allowedIps: ['100.64.3.0/28'] },
    ];
    const text = renderClientConfig({
      privateKey: device.privateKey, addresses: ['10.64.255.254/16', '10.65.255.254/16'], dns: ['10.64.0.1'], peers,
    });

    const stripped = run('wg-quick', ['strip', writeConfig('wg0.conf', text)]);
    expect(stripped).not.toMatch(/^(Address|DNS)\s*=/m);
    run('ip', ['netns', 'exec', namespace, 'wg', 'setconf', iface, writeConfig('stripped.conf', stripped)]);

    const shown = parseWgConfig(run('ip', ['netns', 'exec', namespace, 'wg', 'showconf', iface]));
    expect(shown.interface.PrivateKey).toBe(device.privateKey);
    expect(run('ip', ['netns', 'exec', namespace, 'wg', 'show', iface, 'public-key']).trim()).toBe(device.publicKey);
    const byKey = new Map(shown.peers.map((peer) => [peer.PublicKey, peer]));
    expect([...byKey.keys()].sort()).toEqual(peers.map((peer) => peer.publicKey).sort());
    for (const peer of peers) {
      const loaded = byKey.get(peer.publicKey)!;
      expect(loaded.Endpoint).toBe(peer.endpoint ?? undefined);
      expect(sortedList(loaded.AllowedIPs)).toEqual([...peer.allowedIps].sort());
      expect(loaded.PersistentKeepalive).toBe('25');
    }
  });

  it('names files that wg-quick accepts as downloaded, whatever the device is called', () => {
    ready();
    const text = renderClientConfig({ privateKey: generateKeyPair().privateKey, addresses: [], dns: [], peers: [] });
    // Linux interface names stop at 15 characters, and wg-quick takes the name from the file:
    // the names of the first version ('meshplane-laptop.conf') are refused.
    expect(succeeds('wg-quick', ['strip', writeConfig('meshplane-laptop.conf', text)])).toBe(false);
    for (const name of ['mbp', 'laptop', 'Dana ThinkPad X1 Carbon', 'téléphone de Zoé', 'db.primary.eu-west-1']) {
      expect([name, succeeds('wg-quick', ['strip', writeConfig(configFileName(name), text)])]).toEqual([name, true]);
    }
  });

  it('brings a device config up with wg-quick under its downloaded name, with a /32 address', () => {
    ready();
    const device = generateKeyPair();
    const text = renderClientConfig({
      privateKey: device.privateKey, addresses: ['10.64.255.254/32'], dns: [],
      peers: [{ publicKey: generateKeyPair().publicKey, endpoint: '198.51.100.7:51820', allowedIps: ['10.64.0.0/16'] }],
    });
    // A unique name: wireguard-go's control socket (named after the interface) is machine-wide.
    const file = writeConfig(configFileName(`t${randomBytes(3).toString('hex')} laptop`), text);
    const name = path.basename(file, '.conf');
    const env = { ...process.env, WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go' };
    const up = spawnSync('ip', ['netns', 'exec', namespace, 'wg-quick', 'up', file], { encoding: 'utf8', timeout: 20_000, env });
    try {
      expect(up.status, up.stderr).toBe(0);
      const addresses = run('ip', ['netns', 'exec', namespace, 'ip', '-4', '-o', 'addr', 'show', 'dev', name]);
      expect(addresses).toContain('10.64.255.254/32');
      // The only route into the network is AllowedIPs', not a connected /16 from the address.
      const routes = run('ip', ['netns', 'exec', namespace, 'ip', '-4', 'route', 'show', 'dev', name]);
      expect(routes.trim().split('\n').map((l) => l.split(' ')[0])).toEqual(['10.64.0.0/16']);
      expect(routes).not.toContain('proto kernel');
    } finally {
      spawnSync('ip', ['netns', 'exec', namespace, 'wg-quick', 'down', file], { timeout: 20_000, env });
    }
  });
});
