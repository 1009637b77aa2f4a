import ipaddr from 'ipaddr.js';

// Address plan of a private network (DESIGN.md "Addressing and names"). Peers count up from
// the bottom of the CIDR; devices live in a block at the top, so a host can route every
// device through a gateway with a single AllowedIPs entry.

export type CidrCheck = { ok: true; cidr: string } | { ok: false; message: string };
export type OffsetRange = { first: number; last: number };

export const defaultNetworkPool = '10.64.0.0/10';
export const minNetworkPrefix = 16;
export const maxNetworkPrefix = 28;

const allowedRanges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];
const allowedRangesText = '10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10';

/** Checks an operator-typed network CIDR and returns it normalized (e.g. ' 10.64.0.0/16 '). */
export function parseNetworkCidr(input: string): CidrCheck {
  const text = input.trim();
  const example = 'write it as address/prefix, e.g. 10.64.0.0/16';
  const match = /^([^/\s]+)\/(\d{1,2})$/.exec(text);
  if (!match) return fail(`"${text}" is not a CIDR; ${example}.`);
  const [, address, prefixText] = match;
  if (address.includes(':')) return fail('IPv6 networks are not supported; use an IPv4 CIDR such as 10.64.0.0/16.');
  // Four-part decimal only: ipaddr also accepts "10.1" or hex, which nobody means here.
  if (!ipaddr.IPv4.isValidFourPartDecimal(address)) return fail(`"${address}" is not an IPv4 address; ${example}.`);
  const prefix = Number(prefixText);
  if (prefix > 32) return fail(`/${prefix} is not a valid IPv4 prefix; ${example}.`);
  if (prefix < minNetworkPrefix || prefix > maxNetworkPrefix) {
    return fail(`The prefix must be between /${minNetworkPrefix} and /${maxNetworkPrefix} (got /${prefix}).`);
  }
  const parsed = ipaddr.IPv4.parse(address);
  if (!allowedRanges.some((range) => parsed.match(ipaddr.IPv4.parseCIDR(range)))) {
    return fail(`${address}/${prefix} is in a public range; use a private range: ${allowedRangesText}.`);
  }
  const network = ipaddr.IPv4.networkAddressFromCIDR(`${address}/${prefix}`).toString();
  if (network !== parsed.toString()) {
    return fail(`${parsed}/${prefix} is not a network address; did you mean ${network}/${prefix}?`);
  }
  return { ok: true, cidr: `${network}/${prefix}` };
}

function fail(message: string): CidrCheck {
  return { ok: false, message };
}

export function prefixLength(cidr: string): number {
  return ipaddr.IPv4.parseCIDR(cidr)[1];
}

/** Number of addresses in the CIDR, network and broadcast included. */
export function cidrSize(cidr: string): number {
  return 2 ** (32 - prefixLength(cidr));
}

function networkNumber(cidr: string): number {
  return addressToNumber(ipaddr.IPv4.networkAddressFromCIDR(cidr));
}

// Byte arrays to an unsigned number; multiplication rather than shifts, which are signed 32-bit.
function addressToNumber(address: ipaddr.IPv4): number {
  return address.toByteArray().reduce((value, byte) => value * 256 + byte, 0);
}

function numberToAddress(value: number): ipaddr.IPv4 {
  const bytes = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256);
  return ipaddr.fromByteArray(bytes) as ipaddr.IPv4;
}

/** The address `offset` places above the network address; throws outside the CIDR. */
export function ipAtOffset(cidr: string, offset: number): string {
  if (!Number.isInteger(offset) || offset < 0 || offset >= cidrSize(cidr)) {
    throw new RangeError(`Offset ${offset} is outside ${cidr}`);
  }
  return numberToAddress(networkNumber(cidr) + offset).toString();
}

/** How far `ip` sits above the network address; throws when `ip` is not inside the CIDR. */
export function offsetOf(cidr: string, ip: string): number {
  const address = ipaddr.IPv4.parse(ip);
  if (!address.match(ipaddr.IPv4.parseCIDR(cidr))) throw new RangeError(`${ip} is not inside ${cidr}`);
  return addressToNumber(address) - networkNumber(cidr);
}

// A sixteenth leaves a /24 sixteen device addresses; below that a quarter keeps a few usable.
function deviceBlockPrefix(prefix: number): number {
  return prefix <= 24 ? prefix + 4 : prefix + 2;
}

function deviceBlockStart(cidr: string): number {
  const blockSize = 2 ** (32 - deviceBlockPrefix(prefixLength(cidr)));
  return cidrSize(cidr) - blockSize;
}

/** The block devices take addresses from, e.g. 10.64.240.0/20 for 10.64.0.0/16. */
export function deviceBlock(cidr: string): string {
  return `${ipAtOffset(cidr, deviceBlockStart(cidr))}/${deviceBlockPrefix(prefixLength(cidr))}`;
}

/** Offsets peers may take: above the network address, below the device block. */
export function peerRange(cidr: string): OffsetRange {
  return { first: 1, last: deviceBlockStart(cidr) - 1 };
}

/** Offsets devices may take: the device block without the broadcast address at its top. */
export function deviceRange(cidr: string): OffsetRange {
  return { first: deviceBlockStart(cidr), last: cidrSize(cidr) - 2 };
}

/** True when the two CIDRs share at least one address. */
export function overlaps(a: string, b: string): boolean {
  const [addressA, prefixA] = ipaddr.IPv4.parseCIDR(a);
  const [addressB, prefixB] = ipaddr.IPv4.parseCIDR(b);
  // Aligned blocks either nest or are disjoint, so comparing on the shorter prefix decides.
  return addressA.match(addressB, Math.min(prefixA, prefixB));
}

/**
 * The lowest /16 of the pool that overlaps nothing taken, or null when the pool is full.
 * A pool narrower than /16 is itself the only candidate.
 */
export function nextFreeSlash16(pool: string = defaultNetworkPool, taken: string[] = []): string | null {
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(pool)) throw new Error(`The network pool "${pool}" is not an IPv4 CIDR`);
  const prefix = prefixLength(pool);
  const poolCidr = `${ipaddr.IPv4.networkAddressFromCIDR(pool)}/${prefix}`;
  if (prefix > 16) return taken.some((cidr) => overlaps(cidr, poolCidr)) ? null : poolCidr;
  const candidates = 2 ** (16 - prefix); // at most 65,536, for a /0 pool
  const start = networkNumber(poolCidr);
  for (let index = 0; index < candidates; index++) {
    const candidate = `${numberToAddress(start + index * 65536)}/16`;
    if (!taken.some((cidr) => overlaps(cidr, candidate))) return candidate;
  }
  return null;
}
