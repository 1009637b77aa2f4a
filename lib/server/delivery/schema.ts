import { pgTable, text, timestamp, bigint, primaryKey } from 'drizzle-orm/pg-core';
import { networks } from '../networks/schema';

// Installation-wide secrets and settings (the signing key, encrypted).
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * The network documents the worker has pushed, one per (network, version), so that any
 * replica (or the same one after a restart) can send a host the delta from exactly what it
 * applied. The first replica to store a version wins; the others use its copy. Pruned to
 * the versions hosts may still be at (lib/server/delivery/documents.ts).
 */
export const networkDocuments = pgTable(
  'network_documents',
  {
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    version: bigint('version', { mode: 'number' }).notNull(),
    // JSON text, not jsonb: written and read whole, never queried inside (and cheaper to store).
    state: text('state').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.networkId, t.version] })],
);

/**
 * When each config version was raised, so that /metrics can say how long a host has been
 * behind ("the oldest unapplied change"). One small row per change; pruned below the
 * lowest version an enrolled host still runs (lib/server/networks/change.ts).
 */
export const networkVersions = pgTable(
  'network_versions',
  {
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    version: bigint('version', { mode: 'number' }).notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.networkId, t.version] })],
);
