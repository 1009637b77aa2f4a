import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { SnapshotCache } from '../db/snapshot-cache';
import { apiTokens, users } from '../db/schema';
import { newId } from '../../core/ids';
import { hashToken, newSecretToken, secretTokenPattern } from '../auth/secret-token';
import { notFound } from '../errors';
import type { Principal } from '../auth/gate';

export const tokenNameSchema = z.string().trim().min(1, 'Give the token a name.').max(100, 'Use at most 100 characters.');

export async function createApiToken(db: Db, userId: string, name: string) {
  const token = newSecretToken('mp');
  const [row] = await db.insert(apiTokens)
    .values({ id: newId('token'), userId, name: tokenNameSchema.parse(name), tokenHash: hashToken(token) })
    .returning({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt });
  return { ...row, token };
}

export async function listApiTokens(db: Db, userId: string) {
  return db.select({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens).where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt))).orderBy(desc(apiTokens.createdAt));
}

export async function revokeApiToken(db: Db, userId: string, id: string) {
  const [row] = await db.update(apiTokens).set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt))).returning({ id: apiTokens.id });
  if (!row) throw notFound('Token');
}

/** Scripts and hosts poll with the same token: while nothing changes, its row is not read again (a revocation is a change). */
const liveTokens = new SnapshotCache<{ id: string; userId: string; email: string; lastUsedAt: Date | null } | null>({ maxEntries: 1000, maxWeight: 1000, sharedReadingOnly: true });

/** The user a bearer token acts as; null for malformed, unknown or revoked tokens. */
export async function principalFromToken(db: Db, token: string): Promise<Principal | null> {
  if (!secretTokenPattern.test(token) || !token.startsWith('mp_')) return null;
  const hash = hashToken(token);
  const row = await liveTokens.get(db, hash, async () => {
    const [found] = await db.select({ id: apiTokens.id, userId: users.id, email: users.email, lastUsedAt: apiTokens.lastUsedAt })
      .from(apiTokens).innerJoin(users, eq(users.id, apiTokens.userId))
      .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)));
    return found ?? null;
  });
  if (!row) return null;
  // Coarse last-used stamp: at most one write a minute per token.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
  }
  return { userId: row.userId, email: row.email };
}
