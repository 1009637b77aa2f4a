import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { createEnrollmentTokenOp } from '@/lib/server/delivery/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/peers/[peerId]/enrollment-token', {
  // POST /api/v1/peers/{id}/enrollment-token: a one-use enrolment token, valid for an hour (admins)
  POST: apiRoute(createEnrollmentTokenOp, { status: 201, body: false }),
});
