import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { deleteDeviceOp, regenerateDeviceOp } from '@/lib/server/devices/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/devices/[deviceId]', {
  // PATCH /api/v1/devices/{id}: a new public key for the device (the old one is revoked), with its fresh config
  PATCH: apiRoute(regenerateDeviceOp),
  // DELETE /api/v1/devices/{id}: revoke the device; every host drops it at the next push
  DELETE: apiRoute(deleteDeviceOp, { body: false }),
});
