import { z } from 'zod';
import type { Method, RouteSpec } from '../http/api';
import { routeSpec } from '../http/api';
import type { RouteModule } from '../http/direct-api';
import * as a from './answers';
import devices from '@/pages/api/v1/devices';
import invitation from '@/pages/api/v1/invitations/[invitationId]';
import projectInvitations from '@/pages/api/v1/projects/[projectId]/invitations';
import device from '@/pages/api/v1/devices/[deviceId]';
import deviceConfig from '@/pages/api/v1/devices/[deviceId]/config';
import lease from '@/pages/api/v1/leases/[leaseId]';
import leaseRenew from '@/pages/api/v1/leases/[leaseId]/renew';
import member from '@/pages/api/v1/members/[memberId]';
import memberDomainNames from '@/pages/api/v1/members/[memberId]/domain-names';
import memberProcesses from '@/pages/api/v1/members/[memberId]/processes';
import network from '@/pages/api/v1/networks/[networkId]';
import networkFirewall from '@/pages/api/v1/networks/[networkId]/firewall';
import networkLeases from '@/pages/api/v1/networks/[networkId]/firewall/leases';
import networkRules from '@/pages/api/v1/networks/[networkId]/firewall/rules';
import networkMembers from '@/pages/api/v1/networks/[networkId]/members';
import networkPeers from '@/pages/api/v1/networks/[networkId]/peers';
import networkPush from '@/pages/api/v1/networks/[networkId]/push';
import networkConvergence from '@/pages/api/v1/networks/[networkId]/convergence';
import peer from '@/pages/api/v1/peers/[peerId]';
import memberJoinKeys from '@/pages/api/v1/members/[memberId]/join-keys';
import joinKey from '@/pages/api/v1/join-keys/[joinKeyId]';
import peerEnrollmentToken from '@/pages/api/v1/peers/[peerId]/enrollment-token';
import projects from '@/pages/api/v1/projects';
import project from '@/pages/api/v1/projects/[projectId]';
import projectNetworks from '@/pages/api/v1/projects/[projectId]/networks';
import projectTeam from '@/pages/api/v1/projects/[projectId]/team';
import projectTeamMember from '@/pages/api/v1/projects/[projectId]/team/[userId]';
import rule from '@/pages/api/v1/rules/[ruleId]';
import networkPolicy from '@/pages/api/v1/networks/[networkId]/policy';
import networkPolicyRules from '@/pages/api/v1/networks/[networkId]/policy/rules';
import networkReachability from '@/pages/api/v1/networks/[networkId]/reachability';
import policyRule from '@/pages/api/v1/policy-rules/[policyRuleId]';

/*
 * The OpenAPI description of every route file under pages/api/v1: one entry per file, which
 * adds to what the route already knows (its path, methods and operations, whose zod input
 * schemas become the request bodies) a summary and the answer's schema. A route added
 * without an entry here, or an entry without its route, fails test/unit/openapi.test.ts.
 *
 * To describe a new route: import its file's default export and add
 *   described(theRoute, { POST: { summary: '…', answer: someSchema } }),
 */

export type MethodDoc = {
  summary: string;
  /** The 2xx answer's body; omitted for 204 No Content. */
  answer?: z.ZodType;
  /** Query parameters, for GETs that filter or page. */
  query?: z.ZodObject;
  /** Extra words for the description (e.g. who may call it). */
  description?: string;
};
/** `route`: the file's default export, which server.ts also serves directly (lib/server/http/direct-api.ts). */
export type RouteDoc = { spec: RouteSpec; methods: Partial<Record<Method, MethodDoc>>; route: RouteModule };

const described = (route: RouteModule, methods: RouteDoc['methods']): RouteDoc => ({ spec: route[routeSpec], methods, route });

const peerQuery = z.object({
  q: z.string().optional().meta({ description: 'an address prefix, a DNS name or a member label' }),
  memberId: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).optional(),
  after: z.ipv4().optional().meta({ description: "the previous page's nextAfter" }),
});
const networkQuery = z.object({ tag: z.string().optional(), q: z.string().optional() });

export const apiDocs: RouteDoc[] = [
  described(projects, {
    GET: { summary: "The caller's projects, with the caller's role", answer: a.list(a.projectWithRole) },
    POST: { summary: 'Create a project; the caller is its owner', answer: a.project },
  }),
  described(project, {
    GET: { summary: 'One project', answer: a.project },
    PATCH: { summary: 'Rename a project', answer: a.project },
    DELETE: { summary: 'Delete a project with everything in it (owners)' },
  }),
  described(projectTeam, {
    GET: { summary: "The project's team and roles", answer: a.list(a.teamMember) },
    POST: { summary: 'Add an existing user with a role', answer: a.teamMember },
  }),
  described(projectTeamMember, {
    PATCH: { summary: "Change a team member's role; the last owner cannot be demoted (409)", answer: a.teamMember },
    DELETE: { summary: 'Remove a team member; the last owner cannot be removed (409)' },
  }),
  described(projectInvitations, {
    GET: { summary: "The project's pending invitations (never their links)", answer: a.list(a.invitation) },
    POST: { summary: 'Invite an email address with a role (owners and admins; admins cannot invite owners); the one-time link is in this answer only', answer: a.newInvitation },
  }),
  described(invitation, { DELETE: { summary: 'Revoke a pending invitation: its link stops working' } }),
  described(projectNetworks, {
    GET: { summary: "The project's networks", answer: a.list(a.networkSummary), query: networkQuery },
    POST: { summary: 'Create a network (its CIDR allocated from the pool unless given)', answer: a.network },
  }),
  described(network, {
    GET: { summary: 'One network', answer: a.network },
    PATCH: { summary: "Change a network's label, description or tags (the CIDR cannot change)", answer: a.network },
    DELETE: { summary: 'Delete a network with its members and peers' },
  }),
  described(networkMembers, {
    GET: { summary: "The network's members", answer: a.list(a.member) },
    POST: { summary: 'Add a member with its peers', answer: a.memberWithPeers },
  }),
  described(networkPeers, {
    GET: { summary: "The network's peers in address order, paged", answer: a.peerPage, query: peerQuery },
  }),
  described(networkPush, {
    POST: { summary: 'Push now: one push round for this network, hosts in backoff included (admins)', answer: a.pushRound },
  }),
  described(networkFirewall, {
    GET: { summary: 'Permanent rules and active leases', answer: a.firewall },
  }),
  described(networkRules, {
    POST: { summary: 'Add a permanent rule (UDP to the WireGuard port from a CIDR)', answer: a.rule },
  }),
  described(networkLeases, {
    POST: { summary: "Lease Now: the caller's IP (or, for admins, ip) for 24 hours", answer: a.lease },
  }),
  described(lease, { DELETE: { summary: 'Revoke a lease now' } }),
  described(leaseRenew, { POST: { summary: 'Renew a lease: it ends 24 hours from now', answer: a.lease } }),
  described(rule, { DELETE: { summary: 'Delete a permanent rule' } }),
  described(networkPolicy, {
    GET: { summary: "The network's access policy: mode and allow rules", answer: a.policy },
    PUT: { summary: 'Switch the access policy between open and isolated (admins)', answer: z.object({ mode: z.enum(['open', 'isolated']) }) },
  }),
  described(networkPolicyRules, {
    GET: { summary: 'The allow rules of the access policy', answer: a.list(a.policyRule) },
    POST: { summary: 'Add an allow rule {from, to, protocol, ports, note?} (admins)', answer: a.policyRule },
  }),
  described(networkConvergence, { GET: { summary: 'How far the latest change has got: applied by X of Y hosts, in Z s; hosts behind after 10 s with the reason', answer: a.convergence } }),
  described(networkReachability, {
    GET: {
      summary: 'Can from reach to on port/protocol, and the rule that decides', answer: a.reachability,
      query: z.object({ from: z.string(), to: z.string(), port: z.coerce.number().int().optional(), protocol: z.enum(['tcp', 'udp', 'icmp']).optional() }),
    },
  }),
  described(policyRule, { DELETE: { summary: 'Delete an allow rule of the access policy (admins)' } }),
  described(member, {
    GET: { summary: 'One member with its peers', answer: a.memberWithPeers },
    PATCH: { summary: "Change a member's label or tags", answer: a.member },
    DELETE: { summary: 'Delete a member with its peers' },
  }),
  described(memberProcesses, {
    PUT: {
      summary: 'Scale a member: {"web": 3} for applications (processes not named keep their count, 0 removes one), {"instances": 3} for the others',
      answer: a.member,
    },
  }),
  described(memberJoinKeys, {
    GET: { summary: "The member's join keys with their uses and last use, never the key (admins)", answer: a.list(a.joinKey) },
    POST: { summary: 'A reusable join key for the member, shown once: {process?, expiresInHours?, maxUses?, ephemeral?, autoscale?, maxInstances?} (admins)', answer: a.newJoinKey },
  }),
  described(joinKey, { DELETE: { summary: 'Revoke a join key: it joins no one from now on (admins)' } }),
  described(memberDomainNames, { GET: { summary: 'Every private DNS name of the member with its addresses', answer: a.list(a.domainName) } }),
  described(peer, {
    GET: { summary: 'One peer', answer: a.peer },
    PATCH: { summary: '{publicKey, endpoint} for a peer run by hand, or {gateway: true} (admins)', answer: a.peer },
  }),
  described(peerEnrollmentToken, { POST: { summary: 'A one-use enrolment token for this peer, valid for an hour (admins)', answer: a.enrollmentToken } }),
  described(devices, {
    GET: { summary: "The caller's devices", answer: a.devices },
    POST: { summary: 'Add a device by name and public key; answers everything but the private key', answer: a.deviceConfig },
  }),
  described(device, {
    PATCH: { summary: 'A new public key for the device (the old one is revoked), with its fresh config', answer: a.deviceConfig },
    DELETE: { summary: 'Revoke a device: every host drops it at the next push' },
  }),
  described(deviceConfig, {
    GET: { summary: "The device's config as of now, with stale against what it was last given", answer: a.currentDeviceConfig },
    POST: { summary: 'Record that the device now runs the config with this hash' },
  }),
];
