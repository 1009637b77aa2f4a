import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { isWireGuardKey } from '../wireguard/key-format';
import { policySchema } from '../policy/document';

/*
 * The one document the control plane signs per network version. Every host gets the same
 * bytes and derives its own config (host-config.ts), so a change costs one render + one
 * signature, not one per host. Everything here ends up in `wg` arguments, config text, nft
 * scripts or DNS answers on the host, so it is validated strictly even though it is signed.
 */

const ipv4 = z.string().refine((s) => ipaddr.IPv4.isValidFourPartDecimal(s), 'not an IPv4 address');
const anyIp = z.string().refine((s) => ipaddr.IPv4.isValidFourPartDecimal(s) || ipaddr.IPv6.isValid(s), 'not an IP address');
const cidr = z.string().refine(isCidr, 'not a CIDR');
const ipv4Cidr = cidr.refine((s) => s.includes('.'), 'not an IPv4 CIDR');
const dnsName = z.string().max(253).regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'not a lower-case DNS name');
const id = z.string().regex(/^[a-z]{2}-[0-9a-z]{1,40}$/, 'not an id');
// Exactly the keys `wg` accepts, as everywhere else (lib/core/wireguard/keys.ts).
export const wgKeySchema = z.string().refine(isWireGuardKey, 'not a WireGuard key');
// host:port or [v6]:port; a host name is allowed (wg resolves it), but no spaces or commas.
export const endpointSchema = z.string().max(260).regex(/^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'not host:port');

export const hostEntrySchema = z.object({
  peerId: id,
  memberId: id,
  kind: z.enum(['application', 'addon', 'external']),
  process: z.string().max(63),
  number: z.number().int().min(0),
  ip: ipv4,
  publicKey: wgKeySchema.nullable(),
  endpoint: endpointSchema.nullable(),
  gateway: z.boolean(),
  names: z.array(dnsName).min(1),
  // Only for a host without an endpoint (behind NAT): the address the control plane last saw
  // its channel come from, which the hosts it dials admit to their WireGuard port.
  seenFrom: anyIp.optional(),
});
export type HostEntry = z.infer<typeof hostEntrySchema>;

export const deviceEntrySchema = z.object({ id, publicKey: wgKeySchema, ip: ipv4, name: dnsName });
export type DeviceEntry = z.infer<typeof deviceEntrySchema>;

export const leaseSchema = z.object({ ip: anyIp, expiresAt: z.iso.datetime({ offset: true }) });
export const allowSchema = z.object({ rules: z.array(cidr), leases: z.array(leaseSchema) });
export type Allow = z.infer<typeof allowSchema>;

export const networkStateSchema = z.object({
  networkId: id,
  version: z.number().int().min(0),
  cidr: ipv4Cidr,
  listenPort: z.number().int().min(1).max(65535),
  zone: dnsName,
  deviceBlock: ipv4Cidr,
  hosts: z.array(hostEntrySchema),
  devices: z.array(deviceEntrySchema),
  allow: allowSchema,
  // Absent in documents from before access policies: the network is open.
  policy: policySchema.optional(),
});
export type NetworkState = z.infer<typeof networkStateSchema>;

export function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0 || !/^\d{1,3}$/.test(s.slice(slash + 1))) return false;
  const addr = s.slice(0, slash);
  if (!(ipaddr.IPv4.isValidFourPartDecimal(addr) || ipaddr.IPv6.isValid(addr))) return false;
  return ipaddr.isValidCIDR(s);
}

/** Sorts hosts by peerId and devices by id, so equal networks are deep-equal documents. */
export function normalizeState(state: NetworkState): NetworkState {
  return {
    ...state,
    hosts: [...state.hosts].sort((a, b) => cmp(a.peerId, b.peerId)),
    devices: [...state.devices].sort((a, b) => cmp(a.id, b.id)),
  };
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
