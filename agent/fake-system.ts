import { type LiveState, type System, SystemError } from './system';

/*
 * An in-memory machine for unit tests. It parses what the real tools would be given (the
 * syncconf text, the `wg set` arguments), so the tests check the exact input of `wg`, and
 * `snapshot()` shows the resulting state to compare two ways of reaching it.
 */

type FakePeer = { endpoint: string | null; allowedIps: string[]; keepalive: number };
type FakeIface = { privateKey: string; listenPort: number; peers: Map<string, FakePeer>; address: string | null; up: boolean };

export class FakeSystem implements System {
  readonly ifaces = new Map<string, FakeIface>();
  nft: string | null = null;
  forwarding = false;
  readonly files = new Map<string, string>();
  readonly calls: string[] = [];
  /** Makes the named method throw, to test apply_failed. */
  failOn: keyof System | null = null;

  async ensureInterface(name: string) {
    this.call('ensureInterface');
    if (this.ifaces.has(name)) return false;
    this.ifaces.set(name, { privateKey: '', listenPort: 0, peers: new Map(), address: null, up: false });
    return true;
  }

  async syncConf(name: string, text: string) {
    this.call('syncConf');
    const i = this.iface(name);
    const peers = new Map<string, FakePeer>();
    let current: FakePeer | null = null;
    for (const line of text.split('\n')) {
      const m = /^(\w+)\s*=\s*(.*)$/.exec(line.trim());
      if (line.trim() === '[Peer]') current = null;
      if (!m) continue;
      const [, k, v] = m;
      if (k === 'PrivateKey') i.privateKey = v;
      else if (k === 'ListenPort') i.listenPort = Number(v);
      else if (k === 'PublicKey') peers.set(v, (current = { endpoint: null, allowedIps: [], keepalive: 0 }));
      else if (k === 'AllowedIPs' && current) current.allowedIps = v.split(',').map((s) => s.trim()).filter(Boolean);
      else if (k === 'Endpoint' && current) current.endpoint = v;
      else if (k === 'PersistentKeepalive' && current) current.keepalive = v === 'off' ? 0 : Number(v);
    }
    i.peers = peers;
  }

  async wgSet(name: string, args: string[]) {
    this.call('wgSet');
    const i = this.iface(name);
    let peer: FakePeer | null = null;
    for (let n = 0; n < args.length; n++) {
      const a = args[n];
      if (a === 'listen-port') i.listenPort = Number(args[++n]);
      else if (a === 'peer') {
        const key = args[++n];
        if (args[n + 1] === 'remove') { i.peers.delete(key); n++; peer = null; continue; }
        peer = i.peers.get(key) ?? { endpoint: null, allowedIps: [], keepalive: 0 };
        i.peers.set(key, peer);
      } else if (a === 'allowed-ips' && peer) peer.allowedIps = args[++n].split(',').filter(Boolean);
      else if (a === 'endpoint' && peer) peer.endpoint = args[++n];
      else if (a === 'persistent-keepalive' && peer) { const v = args[++n]; peer.keepalive = v === 'off' ? 0 : Number(v); }
      else throw new SystemError(`wg set: unexpected argument ${a}`);
    }
  }

  async setAddress(name: string, cidr: string) { this.call('setAddress'); this.iface(name).address = cidr; }

  async inspect(name: string, envFile: string): Promise<LiveState> {
    this.call('inspect');
    const i = this.ifaces.get(name);
    const env = this.files.get(envFile) ?? null;
    if (!i) return { exists: false, up: false, wg: null, addresses: [], routes: [], nft: this.nft, env };
    const [ip, bits] = (i.address ?? '0.0.0.0/32').split('/');
    const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
    const n = ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0) & mask;
    const route = `${[24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')}/${bits}`;
    return {
      exists: true, up: i.up, addresses: i.address ? [i.address] : [], routes: i.address ? [route] : [], nft: this.nft, env,
      wg: { privateKey: i.privateKey, listenPort: i.listenPort, peers: [...i.peers].map(([publicKey, p]) => ({ publicKey, endpoint: p.endpoint, allowedIps: [...p.allowedIps], persistentKeepalive: p.keepalive })) },
    };
  }

  /** Links events are delivered by tests through `linkEvent()`. */
  watchLinks(_name: string, onEvent: () => void) {
    this.linkListeners.add(onEvent);
    return () => { this.linkListeners.delete(onEvent); };
  }

  linkEvent() {
    for (const l of this.linkListeners) l();
  }

  private readonly linkListeners = new Set<() => void>();
  async linkUp(name: string) { this.call('linkUp'); this.iface(name).up = true; }
  readonly nudged: string[] = [];
  async nudge(ips: string[]) { this.call('nudge'); this.nudged.push(...ips); }
  async ensureRoute(name: string) { this.call('ensureRoute'); this.iface(name); }
  async nftApply(script: string) { this.call('nftApply'); this.nft = script; }
  async setForwarding(on: boolean) { this.call('setForwarding'); this.forwarding = on; }
  async writeEnvFile(path: string, text: string) { this.call('writeEnvFile'); this.files.set(path, text); }

  async wgShowDump(name: string) {
    this.call('wgShowDump');
    const i = this.iface(name);
    const lines = [`${i.privateKey}\t(fake)\t${i.listenPort}\toff`];
    for (const [key, p] of i.peers) {
      lines.push([key, '(none)', p.endpoint ?? '(none)', p.allowedIps.join(',') || '(none)', '1700000000', '1234', '5678', p.keepalive ? String(p.keepalive) : 'off'].join('\t'));
    }
    return `${lines.join('\n')}\n`;
  }

  /** The interface as `wg showconf` would describe it, in a comparable form. */
  snapshot(name: string) {
    const i = this.iface(name);
    const peers = [...i.peers].map(([publicKey, p]) => ({ publicKey, endpoint: p.endpoint, allowedIps: [...p.allowedIps].sort(), keepalive: p.keepalive }))
      .sort((a, b) => (a.publicKey < b.publicKey ? -1 : 1));
    return { listenPort: i.listenPort, privateKey: i.privateKey, address: i.address, up: i.up, peers };
  }

  private iface(name: string): FakeIface {
    const i = this.ifaces.get(name);
    if (!i) throw new SystemError(`Cannot find device "${name}"`);
    return i;
  }

  private call(method: keyof System) {
    this.calls.push(method);
    if (this.failOn === method) throw new SystemError(`${method} failed: injected failure`);
  }
}
