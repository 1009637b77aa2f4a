import { getDb } from '../db/client';
import { env } from '../env';
import { AppError, errorAnswer, invalid } from '../errors';
import { clientIp } from '../http/client-ip';
import { joinHost } from './join';
import { leaveHost } from './leave';
import { joinSchema } from './schemas';

/* The agent's join (the join key is the credential) and leave (the host token) routes, outside the user gate. */

// POST /api/agent/join: {key, process?, instance?, publicKey, endpoint?, agentUrl?} → {peerId, hostToken, signingPublicKey, process, instance, ip}
export async function joinRoute(request: Request): Promise<Response> {
  try {
    const body = await request.json().catch(() => { throw new AppError(400, 'invalid_json', 'The request body is not valid JSON.'); });
    const parsed = joinSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.') || undefined;
      throw invalid(field ? `${field}: ${issue.message}` : issue.message, field);
    }
    return Response.json(await joinHost(await getDb(), parsed.data, clientIp(request.headers, env().MESHPLANE_TRUSTED_PROXIES)));
  } catch (error) {
    return failure(error);
  }
}

// POST /api/agent/v1/leave: the host (its token) gives its instance up
export async function leaveRoute(request: Request): Promise<Response> {
  try {
    const ip = clientIp(request.headers, env().MESHPLANE_TRUSTED_PROXIES);
    return Response.json(await leaveHost(await getDb(), request.headers.get('authorization'), ip));
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): Response {
  const { status, body } = errorAnswer(error);
  return Response.json(body, { status });
}
