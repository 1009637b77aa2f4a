import { apiRoute, apiRoutes } from '@/lib/server/http/api';
import { createInvitationOp, listInvitationsOp } from '@/lib/server/invitations/operations';

export const config = { api: { bodyParser: false } };

export default apiRoutes('/api/v1/projects/[projectId]/invitations', {
  // GET /api/v1/projects/{pj}/invitations: pending invitations (never their links)
  GET: apiRoute(listInvitationsOp, { body: false, present: (items) => ({ items }) }),
  // POST /api/v1/projects/{pj}/invitations: invite an email address with a role; the link is in this answer only
  POST: apiRoute(createInvitationOp, {
    status: 201,
    present: ({ id, email, role, expiresAt, path }, { origin }) => ({ id, email, role, url: `${origin}${path}`, expiresAt }),
  }),
});
