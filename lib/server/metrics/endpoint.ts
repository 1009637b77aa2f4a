import cluster from 'node:cluster';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AggregatorRegistry, register } from 'prom-client';
import { getDb } from '../db/client';
import { env } from '../env';
import { databaseMetrics } from './database-metrics';

/*
 * GET /metrics (Prometheus text format), served by server.ts ahead of Next. Off unless
 * MESHPLANE_METRICS_TOKEN is set (then Next answers its 404), and behind that bearer token.
 * Per-process figures are summed over the cluster by the primary (AggregatorRegistry);
 * database figures are read once, by the process that answers.
 */

const request = 'meshplane:metrics-request';
const answer = 'meshplane:metrics-answer';
type Message = { type?: string; id?: string; text?: string; error?: string };

/** Call once per process at start: the primary answers workers' requests, workers answer its. */
export function installClusterMetrics() {
  if (cluster.isPrimary) {
    const aggregator = new AggregatorRegistry();
    cluster.on('message', (worker, message: Message) => {
      if (message?.type !== request) return;
      aggregator.clusterMetrics().then(
        (text) => worker.send({ type: answer, id: message.id, text }),
        (e: Error) => worker.send({ type: answer, id: message.id, error: e.message }),
      );
    });
  } else {
    new AggregatorRegistry(); // makes prom-client answer the primary's requests
  }
}

function clusterText(): Promise<string> {
  if (!cluster.isWorker || !process.send) return register.metrics();
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { process.off('message', onMessage); reject(new Error('the primary process did not answer')); }, 6000);
    const onMessage = (m: Message) => {
      if (m?.type !== answer || m.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (m.error) reject(new Error(m.error));
      else resolve(m.text ?? '');
    };
    process.on('message', onMessage);
    process.send!({ type: request, id });
  });
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return !!m && timingSafeEqual(digest(m[1]), digest(token));
}

/** True when it answered; false leaves the request to Next (metrics are off). */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const token = env().MESHPLANE_METRICS_TOKEN;
  if (!token) return false;
  const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...(status === 401 ? { 'www-authenticate': 'Bearer realm="metrics"' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(405, 'Use GET.\n');
    return true;
  }
  if (!bearerMatches(req.headers.authorization, token)) {
    send(401, 'Send Authorization: Bearer <MESHPLANE_METRICS_TOKEN>.\n');
    return true;
  }
  try {
    const [processText, database] = await Promise.all([clusterText(), getDb().then((db) => databaseMetrics(db, { postgres: !!env().DATABASE_URL }))]);
    send(200, `${processText.trimEnd()}\n${(await database.metrics()).trimEnd()}\n`, register.contentType);
  } catch (e) {
    console.error('metrics:', e);
    send(503, 'The metrics could not be read; see the server log.\n');
  }
  return true;
}
