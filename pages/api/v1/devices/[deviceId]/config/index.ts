import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { deviceConfigOp, markConfigGivenOp } from '@/lib/server/devices/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/devices/[deviceId]/config', {
  // GET /api/v1/devices/{id}/config: the device's config as of now, with `stale` and its `hash`
  GET: apiRoute(deviceConfigOp, { body: false }),
  // POST /api/v1/devices/{id}/config: {hash}: record that the device now runs the config with this hash
  POST: apiRoute(markConfigGivenOp),
});
