import { z } from 'zod';
import { operation } from '../auth/gate';
import { createApiToken, listApiTokens, revokeApiToken, tokenNameSchema } from './api-tokens';

// Creates an API token for the caller; the secret is in this answer only.
export const createApiTokenOp = operation({
  name: 'tokens.create', input: z.object({ name: tokenNameSchema }), permission: 'signed-in',
  run: (ctx, input) => createApiToken(ctx.db, ctx.principal.userId, input.name),
});

export const listApiTokensOp = operation({
  name: 'tokens.list', input: z.object({}), permission: 'signed-in',
  run: (ctx) => listApiTokens(ctx.db, ctx.principal.userId),
});

export const revokeApiTokenOp = operation({
  name: 'tokens.revoke', input: z.object({ tokenId: z.string().min(1) }), permission: 'signed-in',
  run: async (ctx, input) => { await revokeApiToken(ctx.db, ctx.principal.userId, input.tokenId); },
});
