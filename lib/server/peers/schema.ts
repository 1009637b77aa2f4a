import { pgTable, text, timestamp, integer, bigint, boolean, uniqueIndex } from 'drizzle-orm/pg-core';
import { inet } from '../db/columns';
import { networks } from '../networks/schema';
import { members } from '../members/schema';

export const pushStates = ['pending', 'sent', 'applied', 'failed'] as const;

export type PushState = (typeof pushStates)[number];

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
    // Where the agent's channel last came from, as the control plane saw it (client-ip.ts):
    // for a host without an endpoint (behind NAT), what the hosts it dials admit (host-config.ts).
    seenFrom: inet('seen_from'),
    hostTokenHash: text('host_token_hash').unique(),
    isGateway: boolean('is_gateway').notNull().default(false),
    appliedVersion: bigint('applied_version', { mode: 'number' }).notNull().default(0),
    pushState: text('push_state', { enum: pushStates }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    lastPushedAt: timestamp('last_pushed_at', { withTimezone: true }),
    lastHandshakeAt: timestamp('last_handshake_at', { withTimezone: true }),
    // When applied_version last rose (lib/server/delivery/claims.ts recordApplied): the network page's "applied in Z s".
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    // The agent's last call over its channel (lib/server/delivery/channel.ts): recent means connected now.
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
    // Nothing indexes the delivery columns (push_state, next_attempt_at, applied_version,
    // last_seen_at): every answer and poll rewrites them, and while no index covers them those
    // updates stay HOT (no index entries written). A partial index on next_attempt_at that no
    // query could use made every answer a full update until 0014.
  ],
);

export const enrollmentTokens = pgTable('enrollment_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  peerId: text('peer_id').notNull().references(() => peers.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type Peer = typeof peers.$inferSelect;
