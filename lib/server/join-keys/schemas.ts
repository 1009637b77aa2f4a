import { z } from 'zod';
import { dnsLabelSchema } from '../../core/names';
import { idPattern } from '../../core/ids';
import { maxInstances } from '../members/schemas';
import { endpointSchema, wgKeySchema } from '../../core/protocol/network-state';
import { agentUrlProblem } from '../../core/delivery/agent-address';

/** Join keys are `mpk_` + 43 base64url characters (lib/server/auth/secret-token.ts). */
export const joinKeyPattern = /^mpk_[A-Za-z0-9_-]{43}$/;
export const defaultJoinKeyHours = 720;

const count = (what: string) => z.number({ error: `${what} must be a whole number.` }).int(`${what} must be a whole number.`);

// POST /members/{id}/join-keys
export const joinKeyCreateSchema = z.object({
  process: z.string().pipe(dnsLabelSchema).optional(),
  expiresInHours: count('expiresInHours').min(1, 'At least 1 hour.').max(8760, 'At most 8760 hours (a year).').default(defaultJoinKeyHours),
  maxUses: count('maxUses').min(1, 'At least 1 use; leave it out for unlimited.').optional(),
  ephemeral: z.boolean({ error: 'ephemeral is true or false.' }).default(false),
  autoscale: z.boolean({ error: 'autoscale is true or false.' }).default(false),
  maxInstances: count('maxInstances').min(1, 'At least 1 instance.').max(maxInstances, `At most ${maxInstances} instances.`).optional(),
}).refine((k) => k.maxInstances === undefined || k.autoscale, { path: ['maxInstances'], message: 'maxInstances limits autoscaling: set autoscale too, or leave it out.' });
export type JoinKeyCreate = z.output<typeof joinKeyCreateSchema>;

// POST /api/agent/join: what the agent sends with the key
export const joinSchema = z.object({
  key: z.string({ error: 'key is required: give --key or MESHPLANE_JOIN_KEY.' }).regex(joinKeyPattern, 'Not a join key (they start with mpk_): copy it from the member\'s page.'),
  memberId: z.string().regex(idPattern, 'Not a member id.').optional(),
  process: z.string().pipe(dnsLabelSchema).optional(),
  instance: z.number({ error: 'instance must be a whole number, e.g. 2.' }).int('instance must be a whole number, e.g. 2.').min(1, 'Instances count from 1.').max(maxInstances).optional(),
  publicKey: wgKeySchema,
  endpoint: endpointSchema.nullish(),
  agentUrl: z.string().max(500).superRefine((v, ctx) => {
    const problem = agentUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: give the URL the control plane pushes to, e.g. http://203.0.113.7:51821, or leave it out.` });
  }).nullish(),
});
export type JoinInput = z.output<typeof joinSchema>;
