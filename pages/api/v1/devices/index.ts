import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { createDeviceOp, listDevicesOp } from '@/lib/server/devices/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/devices', {
  // GET /api/v1/devices: the caller's devices (and the networks a new device would join)
  GET: apiRoute(listDevicesOp, { body: false }),
  // POST /api/v1/devices: add a device by name and public key; answers everything but the private key
  POST: apiRoute(createDeviceOp, { status: 201 }),
});
