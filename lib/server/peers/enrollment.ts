import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../db/client';
import { auditLog, enrollmentTokens, networks, peers } from '../db/schema';
import { AppError, conflict, invalid, notFound } from '../errors';
import { env } from '../env';
import { recordAudit, type Actor } from '../audit/record';
import { hashToken, newSecretToken, secretTokenPattern } from '../auth/secret-token';
import { changeNetwork } from '../networks/change';
import { chooseGatewayIfNone } from '../networks/gateway';
import { claimPublicKey, keyConflictOf } from '../devices/addresses';
import { endpointSchema, wgKeySchema } from '../../core/protocol/network-state';
import { getSigningKey } from '../delivery/signing-key';
import { agentUrlProblem } from '../../core/delivery/agent-address';
import { resolveAgentTarget } from '../delivery/agent-target';

/*
 * DESIGN.md flow 2. An admin makes a one-time token for one peer (an instance or an
 * external); the agent trades it, once, for the peer's identity: it registers the public
 * key it made, where it is reachable and where it takes pushes, and pins our signing key.
 */

export const enrollmentTokenTtlMs = 3_600_000;

/** A new one-use token for the peer, valid for an hour; an older unused one stops working. */
export async function createEnrollmentToken(db: Db, actor: Actor, peerId: string) {
  const token = newSecretToken('mpe');
  const expiresAt = new Date(Date.now() + enrollmentTokenTtlMs);
  await db.transaction(async (tx) => {
    const [peer] = await tx.select({ projectId: networks.projectId }).from(peers)
      .innerJoin(networks, eq(networks.id, peers.networkId)).where(eq(peers.id, peerId));
    if (!peer) throw notFound('Peer');
    await tx.delete(enrollmentTokens).where(and(eq(enrollmentTokens.peerId, peerId), isNull(enrollmentTokens.usedAt)));
    await tx.insert(enrollmentTokens).values({ tokenHash: hashToken(token), peerId, expiresAt });
    await recordAudit(tx, actor, {
      projectId: peer.projectId, action: 'peer.enrollment_token.create', resourceType: 'peer', resourceId: peerId,
      details: { expiresAt: expiresAt.toISOString() },
    });
  });
  return { token, expiresAt };
}

export const enrollSchema = z.object({
  token: z.string({ error: 'token is required' }).regex(secretTokenPattern, 'Not an enrolment token.'),
  publicKey: wgKeySchema,
  endpoint: endpointSchema,
  // Optional: an agent without one is reached only over the channel it opens (channel.ts).
  agentUrl: z.string({ error: 'Give the URL the control plane pushes to, e.g. http://203.0.113.7:51821, or leave it out.' }).max(500).superRefine((v, ctx) => {
    const problem = agentUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: give the URL the control plane pushes to, e.g. http://203.0.113.7:51821, or leave it out.` });
  }).nullish(),
});
export type EnrollInput = z.output<typeof enrollSchema>;

/**
 * Consumes the token and registers the host, all in one transaction: a refused enrolment
 * (used, expired or unknown token, a key already taken) changes nothing, not even the token.
 * Re-enrolling a peer starts its pushes from scratch: the new agent has applied nothing.
 */
export async function enrollHost(db: Db, input: EnrollInput, ip: string | null) {
  // Checked here as at every push (push-host.ts): the worker must be able to reach it.
  if (input.agentUrl) {
    const target = await resolveAgentTarget(input.agentUrl, env().MESHPLANE_AGENT_URL_ALLOW);
    if (!target.ok) throw invalid(`agentUrl: ${target.error}`, 'agentUrl');
  }
  const { publicKeyBase64 } = await getSigningKey(db);
  const hostToken = newSecretToken('mph');
  let peerId = '';
  const consumeToken = async (tx: Tx) => {
    const [consumed] = await tx.update(enrollmentTokens).set({ usedAt: sql`now()` })
      .where(and(eq(enrollmentTokens.tokenHash, hashToken(input.token)), isNull(enrollmentTokens.usedAt), gt(enrollmentTokens.expiresAt, sql`now()`)))
      .returning({ peerId: enrollmentTokens.peerId });
    if (!consumed) throw await refusal(tx, input.token);
    peerId = consumed.peerId;
    const [peer] = await tx.select({ networkId: peers.networkId }).from(peers).where(eq(peers.id, peerId));
    if (!peer) throw notFound('Peer');
    return peer.networkId;
  };
  // The agent is no user: the log names it by its peer (the token's creator is logged already).
  return changeNetwork(db, null, consumeToken, async (tx, network) => {
    await claimPublicKey(tx, input.publicKey, { peerId });
    await tx.update(peers).set({
      publicKey: input.publicKey, endpoint: input.endpoint, agentUrl: input.agentUrl ?? null, hostTokenHash: hashToken(hostToken), lastSeenAt: null, seenFrom: null,
      appliedVersion: 0, pushState: 'pending', attempts: 0, lastError: null,
      nextAttemptAt: sql`now()`, claimedAt: null,
    }).where(eq(peers.id, peerId));
    await chooseGatewayIfNone(tx, network.id);
    await tx.insert(auditLog).values({
      projectId: network.projectId, actorUserId: null, actorEmail: `agent ${peerId}`, action: 'peer.enroll',
      resourceType: 'peer', resourceId: peerId, ip, details: { endpoint: input.endpoint, agentUrl: input.agentUrl ?? null },
    });
    return { result: { peerId, hostToken, signingPublicKey: publicKeyBase64 } };
  }, keyConflictOf);
}

async function refusal(tx: Tx, token: string): Promise<AppError> {
  const [row] = await tx.select({ usedAt: enrollmentTokens.usedAt, expiresAt: enrollmentTokens.expiresAt }).from(enrollmentTokens)
    .where(eq(enrollmentTokens.tokenHash, hashToken(token)));
  if (!row) return new AppError(401, 'invalid_token', 'Unknown enrolment token: create one on the peer\'s page.', 'token');
  if (row.usedAt) return conflict('This enrolment token was already used. Create a new one on the peer\'s page.', 'token', 'token_used');
  return new AppError(401, 'token_expired', `This enrolment token expired at ${row.expiresAt.toISOString()}. Create a new one on the peer's page.`, 'token');
}
