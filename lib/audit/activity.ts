import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';

export const activityPageSize = 50;

/** A project's audit log, newest first, paged by id (stable while new entries arrive). */
export async function listActivity(db: Db, projectId: string, before?: number) {
  const rows = await db.select().from(auditLog)
    .where(and(eq(auditLog.projectId, projectId), before ? lt(auditLog.id, before) : undefined))
    .orderBy(desc(auditLog.id)).limit(activityPageSize + 1);
  return { items: rows.slice(0, activityPageSize), nextBefore: rows.length > activityPageSize ? rows[activityPageSize - 1].id : null };
}
