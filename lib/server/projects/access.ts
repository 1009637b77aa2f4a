import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { can } from '../../core/permissions';
import { memberships, roles } from '../db/schema';

/** The roles that may own devices, from the role matrix: owner, admin, developer. */
export const developerRoles = roles.filter((r) => can(r, 'access.own'));

/** Whether the user may own devices anywhere (developer or higher in some project). */
export async function hasDeveloperAccess(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.select({ p: memberships.projectId }).from(memberships)
    .where(and(eq(memberships.userId, userId), inArray(memberships.role, [...developerRoles]))).limit(1);
  return !!row;
}
