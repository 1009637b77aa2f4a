import { pgTable, text, timestamp, integer, bigint, boolean, uniqueIndex, primaryKey } from 'drizzle-orm/pg-core';
import { projects } from '../projects/schema';
import { inet } from '../db/columns';

export const networks = pgTable(
  'networks',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    description: text('description').notNull().default(''),
    tags: text('tags').array().notNull().default([]),
    // No two networks overlap: an exclusion constraint in the migration enforces it.
    cidr: inet('cidr').notNull(),
    listenPort: integer('listen_port').notNull().default(51820),
    configVersion: bigint('config_version', { mode: 'number' }).notNull().default(1),
    // Access policy between members: open (all ports) or isolated (only what a rule allows).
    policyMode: text('policy_mode', { enum: ['open', 'isolated'] }).notNull().default('open'),
    // The first suitable host to enrol becomes the gateway when there is none (lib/server/networks/gateway.ts).
    autoGateway: boolean('auto_gateway').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('networks_project_label_uq').on(t.projectId, t.label)],
);

/**
 * Every address ever handed out in a network. A live row holds the address; a released
 * row (ownerId null) keeps it out of circulation until the cool-down has passed. The
 * primary key is what makes concurrent allocation safe.
 */
export const ipAllocations = pgTable(
  'ip_allocations',
  {
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    ip: inet('ip').notNull(),
    ownerId: text('owner_id'),
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.networkId, t.ip] })],
);

export type Network = typeof networks.$inferSelect;

export type NewNetwork = typeof networks.$inferInsert;
