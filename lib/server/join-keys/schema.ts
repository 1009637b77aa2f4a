import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { members } from '../members/schema';
import { peers } from '../peers/schema';
import { users } from '../users/schema';

/**
 * A reusable join key (lib/join-keys): an agent trades it for an instance of the member,
 * without an admin (issue 14). Shown once, stored as SHA-256 like every bearer secret.
 */
export const joinKeys = pgTable(
  'join_keys',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    keyHash: text('key_hash').notNull().unique(),
    // The one process the key may join (null: any process of the member).
    process: text('process'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    maxUses: integer('max_uses'), // null: unlimited
    uses: integer('uses').notNull().default(0),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    ephemeral: boolean('ephemeral').notNull().default(false),
    autoscale: boolean('autoscale').notNull().default(false),
    maxInstances: integer('max_instances'), // with autoscale; null: as many as the network holds
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('join_keys_member_idx').on(t.memberId)],
);

/**
 * The instances that joined with a key, with what the key allowed at the time: an
 * ephemeral one is released when offline too long, an autoscaled one shrinks the count
 * when it leaves. Goes with the peer (a re-join replaces it; an enrolment removes it).
 */
export const joinedPeers = pgTable(
  'joined_peers',
  {
    peerId: text('peer_id').primaryKey().references(() => peers.id, { onDelete: 'cascade' }),
    joinKeyId: text('join_key_id').references(() => joinKeys.id, { onDelete: 'set null' }),
    ephemeral: boolean('ephemeral').notNull(),
    autoscale: boolean('autoscale').notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('joined_peers_ephemeral_idx').on(t.joinedAt).where(sql`ephemeral`)],
);

export type JoinKey = typeof joinKeys.$inferSelect;
