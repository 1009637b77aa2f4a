import { z } from 'zod';

/*
 * The API's answers, for the OpenAPI document. Each lists the fields a client may rely on;
 * `.loose()` because answers may carry more (adding a field is not a breaking change). The
 * integration test parses real answers with these, so a documented field cannot drift.
 */

const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}-[a-z0-9]{12}$`)).meta({ example: `${prefix}-3hd8s0a2m1c9` });
const time = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601, UTC' });
const role = z.enum(['owner', 'admin', 'developer', 'viewer']);
export const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const errorAnswer = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
}).meta({ id: 'Error' });

export const project = z.object({ id: id('pj'), name: z.string(), createdAt: time }).loose().meta({ id: 'Project' });
export const projectWithRole = project.extend({ role, networkCount: z.number().int() }).loose().meta({ id: 'ProjectWithRole' });
export const teamMember = z.object({ userId: z.string(), email: z.string(), role }).loose().meta({ id: 'TeamMember' });

export const network = z.object({
  id: id('pn'), projectId: id('pj'), label: z.string(), description: z.string(), tags: z.array(z.string()),
  cidr: z.string(), listenPort: z.number().int(), configVersion: z.number().int(),
  autoGateway: z.boolean().meta({ description: 'the first suitable host to enrol (agent-run, with an endpoint) becomes the gateway when there is none' }),
  createdAt: time,
}).loose().meta({ id: 'Network' });

/** A network as lists show it: with its counts, without what the network's own page has. */
export const networkSummary = z.object({
  id: id('pn'), label: z.string(), description: z.string(), tags: z.array(z.string()), cidr: z.string(),
  configVersion: z.number().int(), createdAt: time, memberCount: z.number().int(), peerCount: z.number().int(),
}).loose().meta({ id: 'NetworkSummary' });

export const peer = z.object({
  id: z.string(), networkId: id('pn'), memberId: z.string(), process: z.string().nullable(), number: z.number().int(),
  ip: z.string(), names: z.array(z.string()), publicKey: z.string().nullable(), endpoint: z.string().nullable(),
  desiredVersion: z.number().int(), appliedVersion: z.number().int(), pushState: z.enum(['pending', 'sent', 'applied', 'failed']),
  lastError: z.string().nullable(), lastHandshakeAt: time.nullable(),
  online: z.boolean().meta({ description: 'the host\'s agent is connected over its channel now' }),
  lastSeenAt: time.nullable().meta({ description: 'the agent\'s last call over its channel; null if never' }),
}).loose().meta({ id: 'Peer' });
export const peerPage = z.object({ items: z.array(peer), nextAfter: z.string().nullable().meta({ description: 'pass as ?after= for the next page; null on the last' }) }).meta({ id: 'PeerPage' });

export const member = z.object({
  id: z.string(), networkId: id('pn'), kind: z.enum(['application', 'addon', 'external']), label: z.string(), tags: z.array(z.string()),
  processes: z.record(z.string(), z.number().int()).nullable().meta({ description: 'applications: instances per process; null for the others' }),
  instances: z.number().int(), createdAt: time,
}).loose().meta({ id: 'Member' });
export const memberWithPeers = member.extend({ peers: z.array(peer.partial().loose()) }).loose().meta({ id: 'MemberWithPeers' });
export const domainName = z.object({ name: z.string(), addresses: z.array(z.string()) }).meta({ id: 'DomainName' });

export const rule = z.object({ id: z.string(), cidr: z.string(), note: z.string().nullable().optional() }).loose().meta({ id: 'FirewallRule' });
export const lease = z.object({ id: z.string(), ip: z.string(), expiresAt: time }).loose().meta({ id: 'Lease' });
export const firewall = z.object({ rules: z.array(rule), leases: z.array(lease) }).meta({ id: 'Firewall' });

const networkReach = z.object({
  networkId: id('pn'), networkLabel: z.string(), reachable: z.boolean(),
  reason: z.string().nullable().meta({ description: 'when not reachable: why, and what the operator must do' }),
}).meta({ id: 'DeviceNetworkReach', description: 'whether the config reaches anything in this network' });
const configPeer = z.object({ publicKey: z.string(), endpoint: z.string().nullable(), allowedIps: z.array(z.string()) });
export const deviceConfig = z.object({
  id: z.string(), name: z.string(), addresses: z.array(z.string()), peers: z.array(configPeer), dns: z.array(z.string()),
  networks: z.array(networkReach),
}).loose().meta({ id: 'DeviceConfig', description: 'everything a wg-quick config needs but the private key' });
export const currentDeviceConfig = deviceConfig.extend({
  stale: z.boolean(), hash: z.string(),
  changes: z.array(z.string()).meta({ description: 'when stale: what differs from the config the device was given, one sentence each' }),
}).loose().meta({ id: 'CurrentDeviceConfig' });
export const devices = z.object({ items: z.array(z.object({ id: z.string(), name: z.string() }).loose()) }).loose().meta({ id: 'Devices' });

export const invitation = z.object({ id: z.string(), email: z.string(), role, expiresAt: time }).loose().meta({ id: 'Invitation' });
export const newInvitation = invitation.extend({ url: z.string().meta({ description: 'the one-time link: shown in this answer only' }) }).loose().meta({ id: 'NewInvitation' });
export const enrollmentToken = z.object({ token: z.string(), expiresAt: time }).loose().meta({ id: 'EnrollmentToken' });
export const joinKey = z.object({
  id: z.string(), memberId: z.string(), process: z.string().nullable(), expiresAt: time, maxUses: z.number().int().nullable(), uses: z.number().int(),
  lastUsedAt: time.nullable(), ephemeral: z.boolean(), autoscale: z.boolean(), maxInstances: z.number().int().nullable(), revokedAt: time.nullable(),
}).loose().meta({ id: 'JoinKey' });
export const newJoinKey = joinKey.extend({ key: z.string() }).loose().meta({ id: 'NewJoinKey' });
export const pushRound = z.object({
  claimed: z.number().int(), applied: z.number().int(), failed: z.number().int(), configVersion: z.number().int().nullable(),
}).loose().meta({ id: 'PushRound' });

export const policyRule = z.object({
  id: z.string(), networkId: z.string(), from: z.string(), to: z.string(), protocol: z.enum(['tcp', 'udp', 'icmp', 'any']), ports: z.string(), note: z.string(),
}).loose().meta({ id: 'PolicyRule', description: 'an allow rule of the access policy; from/to are selectors (ap-…, ap-…/worker, tag:db, devices)' });
export const policy = z.object({ mode: z.enum(['open', 'isolated']), rules: z.array(policyRule) }).meta({ id: 'Policy' });
export const reachability = z.object({
  allowed: z.boolean(), rule: policyRule.optional(), mode: z.enum(['open', 'isolated']), reason: z.string(),
}).meta({ id: 'Reachability' });

export const convergence = z.object({
  version: z.number().int(), applied: z.number().int(), total: z.number().int(), complete: z.boolean(),
  seconds: z.number().nullable().meta({ description: 'from the change to the last host applying it, or so far when not complete; null when unknown' }),
  raisedAt: time.nullable(), offline: z.number().int().meta({ description: 'hosts behind and not connected' }),
  lagging: z.array(z.object({ peerId: z.string(), name: z.string(), appliedVersion: z.number().int(), reason: z.string() }))
    .meta({ description: 'reachable hosts still behind more than 10 s after the change, with the reason' }),
}).meta({ id: 'Convergence' });
