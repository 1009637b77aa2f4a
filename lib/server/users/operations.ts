import { z } from 'zod';
import { operation } from '../auth/gate';
import { changePassword, endAllSessions } from './account';
import { passwordSchema } from './users';

// Changes the caller's password (the current one required); their other sessions end.
export const changePasswordOp = operation({
  name: 'account.changePassword',
  input: z.object({ currentPassword: z.string().min(1, 'Enter your current password.').max(200), newPassword: passwordSchema }),
  permission: 'signed-in',
  run: (ctx, input) => changePassword(ctx.db, ctx.actor, ctx.principal.sessionId ?? null, input.currentPassword, input.newPassword),
});

// Ends every session of the caller, on every browser, this one included.
export const endAllSessionsOp = operation({
  name: 'account.endAllSessions', input: z.object({}), permission: 'signed-in',
  run: (ctx) => endAllSessions(ctx.db, ctx.actor),
});
