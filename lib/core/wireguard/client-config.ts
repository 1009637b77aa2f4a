import { isWireGuardKey } from './key-format';

// A wg-quick config for a device. Assembled in the browser, where the private key lives
// (DESIGN.md "Keys"), so plain string work only.

/** One [Peer] section; host configs (lib/protocol) and device answers (lib/devices) use it too. */
export type ClientPeer = { publicKey: string; endpoint: string | null; allowedIps: string[] };

export type ClientConfigInput = {
  privateKey: string;
  /** The device's address in each network, with that network's prefix: '10.64.255.254/16'. */
  addresses: string[];
  dns: string[];
  peers: ClientPeer[];
  /** For a server run by hand, so the other hosts reach it at its registered endpoint. */
  listenPort?: number;
};

// Keeps NAT mappings open so hosts can reach a device that sits behind a home router.
export const persistentKeepaliveSeconds = 25;

export function renderClientConfig({ privateKey, addresses, dns, peers, listenPort }: ClientConfigInput): string {
  const lines = ['[Interface]', `PrivateKey = ${key(privateKey)}`];
  if (addresses.length > 0) lines.push(`Address = ${values(addresses)}`);
  if (dns.length > 0) lines.push(`DNS = ${values(dns)}`);
  for (const peer of peers) {
    lines.push('', '[Peer]', `PublicKey = ${key(peer.publicKey)}`);
    if (peer.endpoint) lines.push(`Endpoint = ${value(peer.endpoint)}`);
    if (peer.allowedIps.length > 0) lines.push(`AllowedIPs = ${values(peer.allowedIps)}`);
    lines.push(`PersistentKeepalive = ${persistentKeepaliveSeconds}`);
  }
  // Right after PrivateKey, but checked last: a bad key or value is still the error reported.
  if (listenPort !== undefined) lines.splice(2, 0, `ListenPort = ${port(listenPort)}`);
  return `${lines.join('\n')}\n`;
}

// wg-quick takes the interface name from the file name and refuses any name that is not a
// valid Linux interface name: at most 15 characters of [a-zA-Z0-9_=+.-].
const interfaceNameMax = 15;
const filePrefix = 'mp-';

/** The download name: `mp-<device name, shortened>.conf`, which wg-quick accepts as it is. */
export function configFileName(deviceName: string): string {
  const slug = deviceName
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9_=+.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, interfaceNameMax - filePrefix.length)
    .replace(/^[-.]+|[-.]+$/g, '');
  return `${filePrefix}${slug || 'device'}.conf`;
}

function key(b64: string): string {
  if (!isWireGuardKey(b64)) throw new Error(`Not a WireGuard key: ${JSON.stringify(b64)}`);
  return b64;
}

function port(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`Bad listen port ${n}`);
  return n;
}

// wg-quick runs PostUp lines as root: a value carrying a newline, '#' or '=' could smuggle
// one in, so anything beyond a plain address, name or host:port is refused here.
function value(text: string): string {
  if (!/^[A-Za-z0-9.:/[\]_-]+$/.test(text)) throw new Error(`Unsafe value in a WireGuard config: ${JSON.stringify(text)}`);
  return text;
}

function values(list: string[]): string {
  return list.map(value).join(', ');
}
