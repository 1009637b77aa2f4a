import { and, desc, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLog, members, networks, peers, users } from '../db/schema';
import { activityKinds, describeActivity, type ActivityContext, type ActivityKind } from '../../core/audit/describe';

export const activityPageSize = 50;

export type ActivityFilter = { before?: number; actor?: string; kind?: ActivityKind; resource?: string };

/**
 * A project's audit log, newest first, paged by id (stable while new entries arrive), each
 * entry with its sentence. What the entries point at is looked up once per page and kind.
 */
export async function listActivity(db: Db, projectId: string, filter: ActivityFilter = {}) {
  const rows = await db.select().from(auditLog)
    .where(and(
      eq(auditLog.projectId, projectId),
      filter.before ? lt(auditLog.id, filter.before) : undefined,
      filter.actor ? eq(auditLog.actorUserId, filter.actor) : undefined,
      filter.kind ? inArray(auditLog.resourceType, [...activityKinds[filter.kind].types]) : undefined,
      filter.resource ? eq(auditLog.resourceId, filter.resource) : undefined,
    ))
    .orderBy(desc(auditLog.id)).limit(activityPageSize + 1);
  const page = rows.slice(0, activityPageSize);
  const ctx = await contextOf(db, projectId, page);
  return {
    items: page.map((e) => ({ id: e.id, createdAt: e.createdAt, ip: e.ip, action: e.action, resourceId: e.resourceId, sentence: describeActivity(e, ctx) })),
    nextBefore: rows.length > activityPageSize ? rows[activityPageSize - 1].id : null,
    people: await peopleOf(db, projectId),
  };
}

async function contextOf(db: Db, projectId: string, page: (typeof auditLog.$inferSelect)[]): Promise<ActivityContext> {
  const ids = (type: string) => [...new Set(page.filter((e) => e.resourceType === type).map((e) => e.resourceId))];
  const [memberRows, peerRows, userRows] = await Promise.all([
    lookup(ids('member'), (list) => db.select({ id: members.id, label: members.label, kind: members.kind, networkId: members.networkId }).from(members).where(inArray(members.id, list))),
    lookup(ids('peer'), (list) => db.select({ id: peers.id, networkId: peers.networkId, process: peers.process, number: peers.number, memberLabel: members.label })
      .from(peers).innerJoin(members, eq(members.id, peers.memberId)).where(inArray(peers.id, list))),
    lookup(ids('user'), (list) => db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, list))),
  ]);
  const networkIds = new Set([
    ...ids('network'),
    ...page.map((e) => e.details?.networkId).filter((v): v is string => typeof v === 'string'),
    ...memberRows.map((m) => m.networkId),
    ...peerRows.map((p) => p.networkId),
  ]);
  const networkRows = await lookup([...networkIds], (list) => db.select({ id: networks.id, label: networks.label }).from(networks)
    .where(and(inArray(networks.id, list), eq(networks.projectId, projectId))));
  return {
    projectId,
    networks: new Map(networkRows.map((n) => [n.id, n])),
    members: new Map(memberRows.map((m) => [m.id, m])),
    peers: new Map(peerRows.map((p) => [p.id, { networkId: p.networkId, name: `${p.memberLabel} ${p.process === 'instance' ? '' : `${p.process} `}#${p.number}` }])),
    users: new Map(userRows.map((u) => [u.id, u])),
  };
}

function lookup<T>(list: string[], query: (list: string[]) => Promise<T[]>): Promise<T[]> {
  return list.length === 0 ? Promise.resolve([]) : query(list);
}

/** Everyone who appears in the project's log, for the "by person" filter. */
async function peopleOf(db: Db, projectId: string) {
  return db.selectDistinct({ id: auditLog.actorUserId, email: auditLog.actorEmail }).from(auditLog)
    .where(and(eq(auditLog.projectId, projectId), isNotNull(auditLog.actorUserId)))
    .orderBy(auditLog.actorEmail).limit(200) as Promise<{ id: string; email: string | null }[]>;
}
