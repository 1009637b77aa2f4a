import { getDb } from '../db/client';
import { env } from '../env';
import { AppError, errorAnswer, invalid } from '../errors';
import { clientIp } from '../http/client-ip';
import { enrollHost, enrollSchema } from '../peers/enrollment';
import { workerGuard } from './worker-guard';
import { runWorkerRound } from './worker';
import { nextEnvelope, recordChannelAnswer } from './channel';
import { recordAgentReport } from './report';

/*
 * The routes outside the user gate: the agent's enrolment (the one-time token is the
 * credential), its channel (the host token) and the worker (WORKER_SECRET). Here rather than in the route files so tests
 * call them without loading next-auth; errors are answered as the API's are (errorAnswer, lib/server/errors.ts).
 */

/** The request's JSON body, or a 400 that says it is not JSON (both agent routes read one). */
async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}

// POST /api/worker: one round of pushes and lease expiry (cron, with Bearer $WORKER_SECRET)
export async function workerRoute(request: Request): Promise<Response> {
  const refused = workerGuard(request.headers.get('authorization'), env().WORKER_SECRET);
  if (refused) return refused;
  try {
    return Response.json(await runWorkerRound(await getDb()));
  } catch (error) {
    return failure(error);
  }
}

// POST /api/agent/enroll: {token, publicKey, endpoint, agentUrl} → {peerId, hostToken, signingPublicKey}
export async function enrollRoute(request: Request): Promise<Response> {
  try {
    const parsed = enrollSchema.safeParse(await jsonBody(request));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.') || undefined;
      throw invalid(field ? `${field}: ${issue.message}` : issue.message, field);
    }
    const ip = clientIp(request.headers, env().MESHPLANE_TRUSTED_PROXIES);
    return Response.json(await enrollHost(await getDb(), parsed.data, ip));
  } catch (error) {
    return failure(error);
  }
}

// GET /api/agent/v1/next?after=V: the agent's long-poll (host token) → 200 envelope | 204 nothing new
export async function nextRoute(request: Request): Promise<Response> {
  try {
    const url = new URL(request.url);
    const from = clientIp(request.headers, env().MESHPLANE_TRUSTED_PROXIES);
    return await nextEnvelope(await getDb(), request.headers.get('authorization'), url.searchParams.get('after'), { signal: request.signal, from });
  } catch (error) {
    return failure(error);
  }
}

// POST /api/agent/v1/answer: {version, status, body}, the agent's answer to an envelope from the channel
export async function answerRoute(request: Request): Promise<Response> {
  try {
    return Response.json(await recordChannelAnswer(await getDb(), request.headers.get('authorization'), await jsonBody(request)));
  } catch (error) {
    return failure(error);
  }
}

// POST /api/agent/v1/report: {health?, totals?, peers?}, the agent's health and handshakes between documents
export async function reportRoute(request: Request): Promise<Response> {
  try {
    return Response.json(await recordAgentReport(await getDb(), request.headers.get('authorization'), await jsonBody(request)));
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): Response {
  const { status, body } = errorAnswer(error);
  return Response.json(body, { status });
}
