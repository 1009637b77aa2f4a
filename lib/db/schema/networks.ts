import { sql } from 'drizzle-orm';
import {
  pgTable, text, timestamp, integer, bigint, boolean, jsonb, index, uniqueIndex, primaryKey, customType,
} from 'drizzle-orm/pg-core';
import { projects } from './projects';
import { users } from './users';

// inet in Postgres; strings in TypeScript ("10.64.0.0/16", "10.64.0.5").
const inet = customType<{ data: string; driverData: string }>({ dataType: () => 'inet' });

export const memberKinds = ['application', 'addon', 'external'] as const;
export type MemberKind = (typeof memberKinds)[number];
export const pushStates = ['pending', 'sent', 'applied', 'failed'] as const;
export type PushState = (typeof pushStates)[number];

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
    // The first suitable host to enrol becomes the gateway when there is none (lib/networks/gateway.ts).
    autoGateway: boolean('auto_gateway').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('networks_project_label_uq').on(t.projectId, t.label)],
);

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

export const peers = pgTable(
  'peers',
  {
    id: text('id').primaryKey(),
    networkId: text('network_id').notNull().references(() => networks.id, { onDelete: 'cascade' }),
    memberId: text('member_id').notNull().references(() => members.id, { onDelete: 'cascade' }),
    process: text('process').notNull(),
    number: integer('number').notNull(),
    ip: inet('ip').notNull(),
    publicKey: text('public_key').unique(),
    endpoint: text('endpoint'),
    agentUrl: text('agent_url'),
    hostTokenHash: text('host_token_hash').unique(),
    isGateway: boolean('is_gateway').notNull().default(false),
    desiredVersion: bigint('desired_version', { mode: 'number' }).notNull().default(0),
    appliedVersion: bigint('applied_version', { mode: 'number' }).notNull().default(0),
    // When applied_version last rose (lib/pushes/claims.ts recordApplied): the network page's "applied in Z s".
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    pushState: text('push_state', { enum: pushStates }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    lastPushedAt: timestamp('last_pushed_at', { withTimezone: true }),
    lastHandshakeAt: timestamp('last_handshake_at', { withTimezone: true }),
    // The agent's last call over its channel (lib/pushes/channel.ts): recent means connected now.
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    // The agent's own health as of its last answer (agent/apply.ts health()): null before any.
    agentOk: boolean('agent_ok'),
    agentHealth: text('agent_health'), // the reason when not ok
    lastRepairAt: timestamp('last_repair_at', { withTimezone: true }),
    lastRepair: text('last_repair'), // what the agent found and re-synced, e.g. "interface was missing"
    rxBytes: bigint('rx_bytes', { mode: 'number' }).notNull().default(0),
    txBytes: bigint('tx_bytes', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('peers_network_ip_uq').on(t.networkId, t.ip),
    uniqueIndex('peers_member_process_number_uq').on(t.memberId, t.process, t.number),
    index('peers_due_idx').on(t.nextAttemptAt).where(sql`push_state <> 'applied' and agent_url is not null`),
  ],
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

export const enrollmentTokens = pgTable('enrollment_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  peerId: text('peer_id').notNull().references(() => peers.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

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

// Installation-wide secrets and settings (the signing key, encrypted).
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export type Network = typeof networks.$inferSelect;
export type NewNetwork = typeof networks.$inferInsert;
export type Member = typeof members.$inferSelect;
export type Peer = typeof peers.$inferSelect;
export type Device = typeof devices.$inferSelect;
export type FirewallRule = typeof firewallRules.$inferSelect;
export type Lease = typeof leases.$inferSelect;

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
