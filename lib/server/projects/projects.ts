import { and, asc, count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { memberships, networks, projects } from '../db/schema';
import { newId } from '../../core/ids';
import { notFound } from '../errors';
import { recordAudit, type Actor } from '../audit/record';

export const projectNameSchema = z.string().trim().min(1, 'Give the project a name.').max(100, 'Use at most 100 characters.');

export async function listProjectsForUser(db: Db, userId: string) {
  return db
    .select({
      id: projects.id, name: projects.name, role: memberships.role, createdAt: projects.createdAt,
      networkCount: sql<number>`(select count(*)::int from ${networks} where ${networks.projectId} = ${projects.id})`,
    })
    .from(memberships).innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, userId)).orderBy(asc(projects.name), asc(projects.id));
}

export async function getProject(db: Db, projectId: string) {
  const [project] = await db.select().from(projects).where(eq(projects.id, projectId));
  if (!project) throw notFound('Project');
  return project;
}

export async function createProject(db: Db, actor: Actor, name: string) {
  return db.transaction(async (tx) => {
    const [project] = await tx.insert(projects).values({ id: newId('project'), name: projectNameSchema.parse(name) }).returning();
    await tx.insert(memberships).values({ projectId: project.id, userId: actor.userId, role: 'owner' });
    await recordAudit(tx, actor, { projectId: project.id, action: 'project.create', resourceType: 'project', resourceId: project.id, details: { name: project.name } });
    return { ...project, role: 'owner' as const };
  });
}

export async function renameProject(db: Db, actor: Actor, projectId: string, name: string) {
  return db.transaction(async (tx) => {
    const [before] = await tx.select({ name: projects.name }).from(projects).where(eq(projects.id, projectId));
    const [project] = await tx.update(projects).set({ name: projectNameSchema.parse(name) }).where(eq(projects.id, projectId)).returning();
    if (!project) throw notFound('Project');
    await recordAudit(tx, actor, { projectId, action: 'project.rename', resourceType: 'project', resourceId: projectId, details: { from: before?.name, to: project.name } });
    return project;
  });
}

/** What deleting a project takes with it, for the confirmation dialog. */
export async function projectFootprint(db: Db, projectId: string) {
  const [row] = await db.select({
    networks: count(networks.id),
    peers: sql<number>`(select count(*)::int from peers p join networks n on n.id = p.network_id where n.project_id = ${projectId})`,
    team: sql<number>`(select count(*)::int from memberships m where m.project_id = ${projectId})`,
  }).from(networks).where(eq(networks.projectId, projectId));
  return { networks: Number(row?.networks ?? 0), peers: Number(row?.peers ?? 0), team: Number(row?.team ?? 0) };
}

export async function deleteProject(db: Db, actor: Actor, projectId: string) {
  await db.transaction(async (tx) => {
    const [gone] = await tx.delete(projects).where(and(eq(projects.id, projectId))).returning({ name: projects.name });
    if (!gone) throw notFound('Project');
    await recordAudit(tx, actor, { projectId, action: 'project.delete', resourceType: 'project', resourceId: projectId, details: { name: gone.name } });
  });
}
