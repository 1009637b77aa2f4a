import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { channelCalls, channelHeaders, type ChannelAnswer, type ChannelCall } from '../delivery/routes';
import { env } from '../env';
import { errorAnswer } from '../errors';
import { acceptsGzip } from './api';
import { readBody } from './body';
import { clientIp } from './client-ip';
import { agentChannelsOpen } from '../metrics/process-metrics';

/*
 * The agent's channel answered by server.ts itself, ahead of Next, like the JSON API
 * (direct-api.ts), and on the node request itself: thousands of agents each hold a long-poll
 * open and re-poll together after every change, so neither Next's per-request context (tens
 * of kB each, held for the whole poll) nor a web Request and Response per poll is paid. The
 * calls are the ones the app/api/agent/v1 route files serve, so both paths answer the same;
 * another method or path goes on to Next.
 */

// `held`: the long-poll, counted while it is held (meshplane_agent_channels_open).
const routes: Record<string, { methods: string[]; serve: (call: ChannelCall) => Promise<ChannelAnswer>; held?: true }> = {
  '/api/agent/v1/next': { methods: ['GET', 'POST'], serve: channelCalls.next, held: true },
  '/api/agent/v1/answer': { methods: ['POST'], serve: channelCalls.answer },
  '/api/agent/v1/report': { methods: ['POST'], serve: channelCalls.report },
};

/** The caller of a channel call or of the stream: its Authorization header, and its address as client-ip.ts reads it. */
export function agentCaller(req: IncomingMessage): { authorization: string | null; from: string | null } {
  const header = (name: string) => { const v = req.headers[name]; return Array.isArray(v) ? v.join(', ') : v ?? null; };
  return { authorization: header('authorization'), from: clientIp({ get: header }, env().MESHPLANE_TRUSTED_PROXIES) };
}

/** Answers `req` and resolves true when it is one of the channel's routes; resolves false at once otherwise. */
export async function serveAgentChannel(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = req.url ?? '';
  if (!url.startsWith('/api/agent/v1/')) return false;
  const q = url.indexOf('?');
  const found = routes[q < 0 ? url : url.slice(0, q)];
  if (!found || !found.methods.includes(req.method ?? '')) return false;

  // The poll's signal: aborted when the agent goes away unanswered, so a held poll is let go at
  // once (an answered one closes too, and an abort is not free: thousands of them per change).
  const gone = new AbortController();
  res.once('close', () => { if (!res.writableEnded) gone.abort(); });
  let answer: ChannelAnswer;
  const polls = found.held ? agentChannelsOpen.labels('poll') : null;
  polls?.inc();
  try {
    const body = req.method === 'POST' ? (await readBody(req, res)).toString('utf8') : undefined;
    answer = await found.serve({ ...agentCaller(req), query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)), body, signal: gone.signal });
  } catch (error) {
    const { status, body } = errorAnswer(error);
    answer = { status, json: body };
  } finally {
    polls?.dec();
  }
  if (gone.signal.aborted) return true;
  if (answer.json !== undefined) {
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
  } else if (answer.bytes && answer.gzip && !acceptsGzip(req.headers['accept-encoding'])) {
    res.writeHead(answer.status, channelHeaders(answer)).end(gunzipSync(answer.bytes));
  } else {
    const encoding = answer.bytes && answer.gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {};
    res.writeHead(answer.status, { ...channelHeaders(answer), ...encoding }).end(answer.bytes);
  }
  return true;
}
