import { z } from 'zod';
import {
  allowSchema, deviceEntrySchema, hostEntrySchema, networkStateSchema,
} from './network-state';

/*
 * What the control plane signs. A snapshot carries the whole network; a delta carries what
 * changed since `fromVersion`, for hosts that applied exactly that version. The allow-list
 * is small and time-dependent, so a delta always carries it whole.
 */

const snapshotMessageSchema = z.object({
  type: z.literal('snapshot'),
  networkId: z.string(),
  version: z.number().int().min(0),
  state: networkStateSchema,
}).refine((m) => m.state.networkId === m.networkId && m.state.version === m.version, {
  message: 'state does not match the message networkId/version',
});

// Network-wide fields a delta may change; only the ones that changed are present.
const deltaMetaSchema = networkStateSchema
  .pick({ cidr: true, listenPort: true, zone: true, deviceBlock: true })
  .partial();

const deltaMessageSchema = z.object({
  type: z.literal('delta'),
  networkId: z.string(),
  fromVersion: z.number().int().min(0),
  version: z.number().int().min(1),
  upsertHosts: z.array(hostEntrySchema),
  removeHosts: z.array(z.string()),
  upsertDevices: z.array(deviceEntrySchema),
  removeDevices: z.array(z.string()),
  allow: allowSchema,
  // Small (rules, not hosts, though resolved to addresses) and carried whole, like the allow-list.
  policy: networkStateSchema.shape.policy,
  meta: deltaMetaSchema.optional(),
}).refine((m) => m.fromVersion < m.version, { message: 'fromVersion must be below version' });

export const messageSchema = z.discriminatedUnion('type', [snapshotMessageSchema, deltaMessageSchema]);

export type DeltaMessage = z.infer<typeof deltaMessageSchema>;
export type DeltaMeta = z.infer<typeof deltaMetaSchema>;
export type Message = z.infer<typeof messageSchema>;

/** What is POSTed to the agent: the signed bytes, their signature, and whom this copy is for. */
export const envelopeSchema = z.object({
  payload: z.string().min(1),
  // Optional in the schema so that an unsigned push is told apart from a malformed one.
  signature: z.string().optional(),
  target: z.string().min(1),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** Peers an agent's answer lists one by one (the most recently active); its totals cover all. */
export const maxListedPeers = 64;

/**
 * The host's own view of itself, sent with every answer (200 and errors) and by `GET /healthz`.
 * `ok` is false, with `reason`, while the machine differs from the applied config and could
 * not be repaired, while the last apply failed, while a damaged state file waits for a
 * snapshot, or while the control plane's URL has not answered the agent's probe.
 * `drift`: the differences found at the last check that are not repaired; `lastRepair`: the
 * last time the agent found differences and re-synced from its own state, and what they were.
 */
export const agentHealthSchema = z.object({
  ok: z.boolean(),
  reason: z.string().optional(),
  drift: z.array(z.string()),
  lastRepair: z.object({
    at: z.string(), // ISO 8601
    found: z.array(z.string()), // e.g. ["interface was missing"]
    ok: z.boolean(), // false: the repair itself failed (the reason is in `reason`)
  }).nullable(),
});
export type AgentHealth = z.infer<typeof agentHealthSchema>;

/** The codes of an agent's refusals (docs/agent-protocol.md, "Answers"). */
export const agentErrorCodes = ['malformed', 'bad_signature', 'stale', 'need_snapshot', 'wrong_target', 'too_large', 'apply_failed', 'internal'] as const;
export type AgentErrorCode = (typeof agentErrorCodes)[number];
