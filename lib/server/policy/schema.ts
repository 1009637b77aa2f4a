import { pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../users/schema';
import { networks } from '../networks/schema';
import { members } from '../members/schema';

/*
 * An allow rule of the access policy. The selectors are kept as written ("ap-…/worker",
 * "tag:db", "devices"); the member they name, if any, is a foreign key so that a rule goes
 * with its member.
 */
export const policyRules = pgTable(
  'policy_rules',
  {
    id: text('id').primaryKey(),
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    fromSelector: text('from_selector').notNull(),
    toSelector: text('to_selector').notNull(),
    fromMemberId: text('from_member_id').references(() => members.id, { onDelete: 'cascade' }),
    toMemberId: text('to_member_id').references(() => members.id, { onDelete: 'cascade' }),
    protocol: text('protocol', { enum: ['tcp', 'udp', 'icmp', 'any'] }).notNull(),
    ports: text('ports').notNull(),
    note: text('note').notNull().default(''),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('policy_rules_network_rule_uq').on(t.networkId, t.fromSelector, t.toSelector, t.protocol, t.ports)],
);
