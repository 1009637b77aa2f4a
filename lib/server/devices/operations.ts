import { z } from 'zod';
import { operation } from '../auth/gate';
import { idPattern } from '../../core/ids';
import { createDevice, deleteDevice, regenerateDevice } from './devices';
import { currentDeviceConfig, listDevices, listNetworkDevices, markConfigGiven } from './read';
import { createDeviceSchema, deviceIdSchema, markConfigGivenSchema, regenerateDeviceSchema } from '../../core/devices/schemas';

// Devices are the caller's own things: 'signed-in' at the gate, and lib/devices decides where
// the caller is developer or higher (403 from creation when nowhere, 404 for others' devices).

// Lists the caller's devices with addresses, names and whether each config is out of date.
export const listDevicesOp = operation({
  name: 'devices.list', input: z.object({}), permission: 'signed-in',
  run: (ctx) => listDevices(ctx.db, ctx.principal.userId),
});

// Adds a device by name and public key: an address in every network the caller may reach.
export const createDeviceOp = operation({
  name: 'devices.create', input: createDeviceSchema, permission: 'signed-in',
  run: (ctx, input) => createDevice(ctx.db, ctx.actor, input),
});

// Replaces a device's key pair (the old public key is revoked) and brings its config up to date.
export const regenerateDeviceOp = operation({
  name: 'devices.regenerate', input: regenerateDeviceSchema, permission: 'signed-in',
  run: (ctx, input) => regenerateDevice(ctx.db, ctx.actor, input.deviceId, input.publicKey),
});

// Deletes a device: its addresses are released and hosts drop it at the next push.
export const deleteDeviceOp = operation({
  name: 'devices.delete', input: z.object({ deviceId: deviceIdSchema }), permission: 'signed-in',
  run: async (ctx, input) => { await deleteDevice(ctx.db, ctx.actor, input.deviceId); },
});

export const deviceConfigOp = operation({
  name: 'devices.config', input: z.object({ deviceId: deviceIdSchema }), permission: 'signed-in',
  run: (ctx, input) => currentDeviceConfig(ctx.db, ctx.principal.userId, input.deviceId),
});

// Records that the device now runs the config with this hash (clients that keep their key).
export const markConfigGivenOp = operation({
  name: 'devices.markConfigGiven', input: markConfigGivenSchema, permission: 'signed-in',
  run: (ctx, input) => markConfigGiven(ctx.db, ctx.principal.userId, input.deviceId, input.hash),
});

export const listNetworkDevicesOp = operation({
  name: 'devices.listForNetwork', input: z.object({ networkId: z.string().regex(idPattern, 'Not a valid id.') }),
  permission: 'project.read', scope: (i) => ({ network: i.networkId }),
  run: (ctx, input) => listNetworkDevices(ctx.db, input.networkId),
});
