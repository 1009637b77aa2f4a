import { z } from 'zod';
import { dnsLabelSchema } from '../names';
import { isWireGuardKey, publicKeyMessage } from '../wireguard/key-format';
import { endpointSchema } from '../protocol/network-state';
import { idPattern } from '../ids';
import { configHashSchemaPattern } from './config-hash';

// A device name is one DNS label of `<device>.<handle>.dev.<network>.<zone>`; names are
// case-insensitive, so "Laptop" is taken as "laptop" rather than refused.
export const deviceNameSchema = z.string({ error: 'Give the device a name, e.g. laptop.' }).trim().toLowerCase()
  .min(1, 'Give the device a name, e.g. laptop.').pipe(dnsLabelSchema);

export const publicKeySchema = z.string().trim().refine(isWireGuardKey, publicKeyMessage);
const key = z.string({ error: 'Send the device’s public key.' }).pipe(publicKeySchema);

export const deviceIdSchema = z.string().regex(/^dv-[0-9a-z]{12}$/, 'Not a device id.');
export const peerIdSchema = z.string().regex(idPattern, 'Not a peer id.');

export const createDeviceSchema = z.object({ name: deviceNameSchema, publicKey: key });
export const regenerateDeviceSchema = z.object({ deviceId: deviceIdSchema, publicKey: key });
export const markConfigGivenSchema = z.object({
  deviceId: deviceIdSchema,
  hash: z.string().regex(configHashSchemaPattern, 'Send the hash from GET /devices/{id}/config.'),
});

// Forms send "" for an empty endpoint: that clears it.
const endpoint = z.union([z.literal('').transform(() => null), z.null(), z.string().trim().pipe(endpointSchema)], {
  error: 'Write the endpoint as host:port, e.g. 203.0.113.7:51820.',
});

export const updatePeerSchema = z.object({
  peerId: peerIdSchema,
  publicKey: key.optional(),
  endpoint: endpoint.optional(),
  gateway: z.boolean({ error: 'gateway is true or false.' }).optional(),
}).refine((i) => i.publicKey !== undefined || i.endpoint !== undefined || i.gateway !== undefined, {
  error: 'Send publicKey (with an optional endpoint) or gateway.', path: ['publicKey'],
});
