import { pgTable, text, timestamp, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../users/schema';
import { inet } from '../db/columns';
import { networks } from '../networks/schema';

export const firewallRules = pgTable(
  'firewall_rules',
  {
    id: text('id').primaryKey(),
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    cidr: inet('cidr').notNull(),
    note: text('note').notNull().default(''),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('firewall_rules_network_cidr_uq').on(t.networkId, t.cidr)],
);

export const leases = pgTable(
  'leases',
  {
    id: text('id').primaryKey(),
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    ip: inet('ip').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    // Set once the worker has taken an expired lease out of the configs.
    expiredHandledAt: timestamp('expired_handled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('leases_network_idx').on(t.networkId, t.expiresAt)],
);

export type FirewallRule = typeof firewallRules.$inferSelect;

export type Lease = typeof leases.$inferSelect;
