import { pgTable, text, timestamp, integer, uniqueIndex, primaryKey } from 'drizzle-orm/pg-core';
import { networks } from '../networks/schema';
import { memberKinds } from '../../core/names';

export const members = pgTable(
  'members',
  {
    id: text('id').primaryKey(),
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: memberKinds }).notNull(),
    label: text('label').notNull(),
    tags: text('tags').array().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('members_network_label_uq').on(t.networkId, t.label)],
);

// An application's processes; addons and externals have one row named "instance".
export const processes = pgTable(
  'processes',
  {
    memberId: text('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    instances: integer('instances').notNull(),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.name] })],
);

export type Member = typeof members.$inferSelect;
