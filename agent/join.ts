import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { loadAgent, publicKeyOf, readPrivateKey, writeIdentity, writePrivateKey } from './state';
import { splitHostPort } from './server';

/*
 * `meshplane-agent join` and `leave` (issue 14): a reusable join key instead of a one-time
 * token. The key pair is made here, on the host; only the public key leaves it.
 */

export type JoinOptions = {
  server: string; key: string; process?: string; instance?: number; endpoint?: string;
  interface: string; stateDir: string; agentUrl?: string; listen?: string;
  /** How long to keep asking for --instance N while another host still holds it (see below). */
  waitForInstanceMs?: number; retryEveryMs?: number; log?: (line: string) => void;
};

// A container restarted with the same --instance N finds its old self still counted as online
// (seen within the control plane's online window, about 40 s): it asks again until that ends.
const instanceWaitMs = 90_000;
const instanceRetryMs = 5_000;

const joinAnswerSchema = z.object({
  peerId: z.string().min(1), hostToken: z.string().min(1),
  signingPublicKey: z.string().refine((s) => Buffer.from(s, 'base64').length === 32, 'not a base64 Ed25519 public key'),
  process: z.string(), instance: z.number().int(), ip: z.string(),
});

/** Options from flags, else from MESHPLANE_SERVER, MESHPLANE_JOIN_KEY, MESHPLANE_PROCESS, MESHPLANE_INSTANCE. */
export function joinOptionsFrom(o: Record<string, string | string[] | boolean | undefined>, env: NodeJS.ProcessEnv): Omit<JoinOptions, 'interface' | 'stateDir'> {
  const server = (o.server as string | undefined) ?? env.MESHPLANE_SERVER;
  const key = (o.key as string | undefined) ?? env.MESHPLANE_JOIN_KEY;
  if (!server || !key) throw new Error('join needs --server URL and --key K (or MESHPLANE_SERVER and MESHPLANE_JOIN_KEY): copy them from the member\'s page');
  const instanceText = (o.instance as string | undefined) ?? env.MESHPLANE_INSTANCE;
  const instance = instanceText === undefined || instanceText === '' ? undefined : Number(instanceText);
  if (instance !== undefined && (!Number.isInteger(instance) || instance < 1)) throw new Error(`--instance must be a whole number from 1, not "${instanceText}"`);
  const endpoint = o.endpoint as string | undefined;
  if (endpoint) splitHostPort(endpoint);
  return { server, key, process: (o.process as string | undefined) ?? (env.MESHPLANE_PROCESS || undefined), instance, endpoint, agentUrl: o['agent-url'] as string | undefined, listen: o.listen as string | undefined };
}

/** Claims an instance with the key and stores the identity; a refusal stores nothing and says what to do. */
export async function joinNetwork(o: JoinOptions): Promise<{ peerId: string; process: string; instance: number; ip: string }> {
  const privateKey = (await readPrivateKey(o.stateDir)) ?? generateKeyPair().privateKey;
  await writePrivateKey(o.stateDir, privateKey);
  const publicKey = publicKeyOf(privateKey);
  const giveUpAt = Date.now() + (o.waitForInstanceMs ?? instanceWaitMs);
  let body = await askToJoin(o, publicKey);
  while (!body.ok && body.code === 'instance_taken' && Date.now() < giveUpAt) {
    const every = o.retryEveryMs ?? instanceRetryMs;
    (o.log ?? console.error)(`instance ${o.instance} is still held by a host seen in the last minute (this host before a restart?): asking again in ${every / 1000} s`);
    await new Promise((r) => setTimeout(r, every));
    body = await askToJoin(o, publicKey);
  }
  if (!body.ok) throw new Error(`join refused (${body.status}${body.code ? ` ${body.code}` : ''}): ${body.message}`);
  const answer = joinAnswerSchema.parse(body.answer);
  await writeIdentity(o.stateDir, {
    server: o.server, peerId: answer.peerId, hostToken: answer.hostToken, signingPublicKey: answer.signingPublicKey,
    interface: o.interface, ...(o.listen ? { listen: o.listen } : {}), endpoint: o.endpoint ?? '',
  });
  return answer;
}

type JoinReply = { ok: true; answer: unknown } | { ok: false; status: number; code?: string; message: string };

async function askToJoin(o: JoinOptions, publicKey: string): Promise<JoinReply> {
  let res: Response;
  try {
    res = await fetch(new URL('/api/agent/join', o.server), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: o.key, publicKey, process: o.process, instance: o.instance, endpoint: o.endpoint ?? null, agentUrl: o.agentUrl ?? null }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new Error(`cannot reach the control plane at ${o.server} (${e instanceof Error ? e.message : String(e)}): check --server (MESHPLANE_SERVER) and this host's network`);
  }
  const body = await res.json().catch(() => null) as { error?: { code?: string; message?: string } } | null;
  if (res.ok) return { ok: true, answer: body };
  return { ok: false, status: res.status, code: body?.error?.code, message: body?.error?.message ?? 'no details' };
}

export const isJoined = (stateDir: string) => existsSync(join(stateDir, 'identity.json'));

/** Gives the instance up (POST /api/agent/v1/leave) and forgets the identity; the key pair goes too. */
export async function leaveNetwork(stateDir: string): Promise<string> {
  const { identity } = await loadAgent(stateDir);
  const res = await fetch(new URL('/api/agent/v1/leave', identity.server), {
    method: 'POST', headers: { authorization: `Bearer ${identity.hostToken}` }, signal: AbortSignal.timeout(15_000),
  });
  const body = await res.json().catch(() => null) as { error?: { message?: string } } | null;
  // 401: the control plane no longer knows this token (released already): forget it all the same.
  if (!res.ok && res.status !== 401) throw new Error(`leave refused (${res.status}): ${body?.error?.message ?? 'no details'}`);
  await rm(join(stateDir, 'identity.json'), { force: true });
  await rm(join(stateDir, 'private.key'), { force: true });
  return res.ok ? `left: ${identity.peerId} released` : `the control plane had released ${identity.peerId} already; identity removed`;
}
