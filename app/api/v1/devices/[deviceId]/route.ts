import { apiRoute } from '@/lib/http/api';
import { deleteDeviceOp, regenerateDeviceOp } from '@/lib/devices/operations';

// PATCH /api/v1/devices/{id}: a new public key for the device (the old one is revoked), with its fresh config
export const PATCH = apiRoute(regenerateDeviceOp);
// DELETE /api/v1/devices/{id}: revoke the device; every host drops it at the next push
export const DELETE = apiRoute(deleteDeviceOp, { body: false });
