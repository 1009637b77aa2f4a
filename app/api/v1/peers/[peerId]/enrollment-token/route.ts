import { apiRoute } from '@/lib/http/api';
import { createEnrollmentTokenOp } from '@/lib/pushes/operations';

// POST /api/v1/peers/{id}/enrollment-token: a one-use enrolment token, valid for an hour (admins)
export const POST = apiRoute(createEnrollmentTokenOp, { status: 201, body: false });
