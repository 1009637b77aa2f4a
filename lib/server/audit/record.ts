import { auditLog } from '../db/schema';
import type { Queryable } from '../db/client';

/** Who did it and from where; every mutating lib function takes one. */
export type Actor = { userId: string; email: string; ip: string | null };

export type AuditEntry = { projectId: string | null; action: string; resourceType: string; resourceId: string; details?: Record<string, unknown> };

export async function recordAudit(db: Queryable, actor: Actor, entry: AuditEntry) {
  await db.insert(auditLog).values({
    projectId: entry.projectId,
    actorUserId: actor.userId,
    actorEmail: actor.email,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    ip: actor.ip,
    details: entry.details ?? null,
  });
}
