import { pgTable, text, timestamp, jsonb, uniqueIndex, primaryKey } from 'drizzle-orm/pg-core';
import { users } from '../users/schema';
import { inet } from '../db/columns';
import { networks } from '../networks/schema';

export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    publicKey: text('public_key').notNull().unique(),
    // Hash of the addresses and peers the device was last given, to tell when it is stale.
    lastGivenHash: text('last_given_hash'),
    // The config body behind lastGivenHash, to say what changed since (null: not known).
    lastGivenConfig: jsonb('last_given_config').$type<{ addresses: string[]; peers: { publicKey: string; endpoint: string | null; allowedIps: string[] }[]; dns: string[] }>(),
    // The latest handshake any host reported for this device's key (null: never).
    lastHandshakeAt: timestamp('last_handshake_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('devices_user_name_uq').on(t.userId, t.name)],
);

export const deviceAddresses = pgTable(
  'device_addresses',
  {
    deviceId: text('device_id').notNull().references(() => devices.id, { onDelete: 'cascade' }),
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    ip: inet('ip').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.networkId] }), uniqueIndex('device_addresses_network_ip_uq').on(t.networkId, t.ip)],
);

export type Device = typeof devices.$inferSelect;
