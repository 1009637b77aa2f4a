import { gunzipSync } from 'node:zlib';
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

/** The request's JSON body, or a 400 that says it is not JSON (every agent POST carries one). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}
const jsonBody = async (request: Request) => parseJson(await request.text());

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

/*
 * The agent's channel calls, answered the same by server.ts's dispatcher (direct-agent.ts, on
 * the node request) and by the route files (web Request and Response, under --dev).
 */
export type ChannelCall = { authorization: string | null; query: URLSearchParams; body?: string; signal?: AbortSignal; from: string | null };
/** `gzip`: `bytes` are gzip-encoded (see EnvelopeReply). */
export type ChannelAnswer = { status: number; bytes?: Buffer; gzip?: boolean; json?: unknown };

export const channelCalls = {
  // GET /api/agent/v1/next?after=V: the long-poll (host token) → 200 envelope | 204 nothing new;
  // POST the same with {version, status, body}: the answer to the previous envelope rides on it.
  async next(call: ChannelCall): Promise<ChannelAnswer> {
    const reply = await nextEnvelope(await getDb(), call.authorization, call.query.get('after'),
      { signal: call.signal, from: call.from, answer: call.body === undefined ? undefined : parseJson(call.body) });
    return reply.status === 200 ? { status: 200, bytes: reply.body, gzip: reply.gzip } : { status: 204 };
  },
  // POST /api/agent/v1/answer: {version, status, body}, an answer sent alone
  async answer(call: ChannelCall): Promise<ChannelAnswer> {
    return { status: 200, json: await recordChannelAnswer(await getDb(), call.authorization, parseJson(call.body ?? '')) };
  },
  // POST /api/agent/v1/report: {health?, totals?, peers?}, the agent's health and handshakes between documents
  async report(call: ChannelCall): Promise<ChannelAnswer> {
    return { status: 200, json: await recordAgentReport(await getDb(), call.authorization, parseJson(call.body ?? '')) };
  },
};

/** A channel call as a route file's handler. */
function webRoute(serve: (call: ChannelCall) => Promise<ChannelAnswer>) {
  return async (request: Request): Promise<Response> => {
    try {
      const answer = await serve({
        authorization: request.headers.get('authorization'), query: new URL(request.url).searchParams,
        body: request.method === 'POST' ? await request.text() : undefined, signal: request.signal,
        from: clientIp(request.headers, env().MESHPLANE_TRUSTED_PROXIES),
      });
      if (answer.json !== undefined) return Response.json(answer.json, { status: answer.status });
      const bytes = answer.bytes && answer.gzip ? gunzipSync(answer.bytes) : answer.bytes; // Next compresses as it likes
      return new Response(bytes ? new Uint8Array(bytes) : null, { status: answer.status, headers: channelHeaders(answer) });
    } catch (error) {
      return failure(error);
    }
  };
}

/** The headers of an envelope (200) or of nothing new (204). */
export const channelHeaders = (answer: ChannelAnswer): Record<string, string> =>
  answer.bytes ? { 'content-type': 'application/json', 'cache-control': 'no-store' } : { 'cache-control': 'no-store' };

export const nextRoute = webRoute(channelCalls.next);
export const answerRoute = webRoute(channelCalls.answer);
export const reportRoute = webRoute(channelCalls.report);

function failure(error: unknown): Response {
  const { status, body } = errorAnswer(error);
  return Response.json(body, { status });
}
