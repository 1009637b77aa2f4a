import { apiRoute } from '@/lib/http/api';
import { deviceConfigOp, markConfigGivenOp } from '@/lib/devices/operations';

// GET /api/v1/devices/{id}/config: the device's config as of now, with `stale` and its `hash`
export const GET = apiRoute(deviceConfigOp, { body: false });
// POST /api/v1/devices/{id}/config: {hash}: record that the device now runs the config with this hash
export const POST = apiRoute(markConfigGivenOp);
