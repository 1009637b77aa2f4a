import { apiRoute } from '@/lib/http/api';
import { createDeviceOp, listDevicesOp } from '@/lib/devices/operations';

// GET /api/v1/devices: the caller's devices (and the networks a new device would join)
export const GET = apiRoute(listDevicesOp, { body: false });
// POST /api/v1/devices: add a device by name and public key; answers everything but the private key
export const POST = apiRoute(createDeviceOp, { status: 201 });
