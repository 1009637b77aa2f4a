import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { answerRoute, nextRoute, reportRoute } from '../delivery/routes';
import { errorAnswer } from '../errors';
import { readBody } from './body';

/*
 * The agent's channel answered by server.ts itself, ahead of Next, like the JSON API
 * (direct-api.ts): thousands of agents each hold a long-poll open, and a request held inside
 * Next's app router keeps its whole per-request context alive (tens of kB each) and costs its
 * pipeline on every re-poll. The route functions are the ones the app/api/agent/v1 route files
 * export, so both paths answer the same; another method or path goes on to Next.
 */

type WebRoute = (request: Request) => Promise<Response>;

const routes: Record<string, { method: string; route: WebRoute }> = {
  '/api/agent/v1/next': { method: 'GET', route: nextRoute },
  '/api/agent/v1/answer': { method: 'POST', route: answerRoute },
  '/api/agent/v1/report': { method: 'POST', route: reportRoute },
};

/** Answers `req` and resolves true when it is one of the channel's routes; resolves false at once otherwise. */
export async function serveAgentChannel(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = req.url ?? '';
  if (!url.startsWith('/api/agent/v1/')) return false;
  const q = url.indexOf('?');
  const found = routes[q < 0 ? url : url.slice(0, q)];
  if (!found || found.method !== req.method) return false;

  // The poll's signal: aborted when the agent goes away, so a held poll is let go at once.
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  let body: Buffer | undefined;
  if (found.method === 'POST') {
    try {
      body = await readBody(req, res);
    } catch (error) {
      const { status, body: answer } = errorAnswer(error);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return true;
    }
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${url}`, { method: found.method, headers, body: body ? new Uint8Array(body) : undefined, signal: gone.signal });
  const answer = await found.route(request);
  if (gone.signal.aborted) return true;
  res.statusCode = answer.status;
  answer.headers.forEach((value, key) => res.setHeader(key, value));
  if (!answer.body) { res.end(); return true; }
  Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream).pipe(res);
  return true;
}
