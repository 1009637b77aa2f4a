import http from 'node:http';
import https from 'node:https';

/*
 * One POST to an agent, with a hard deadline covering connect, upload and answer. Sockets
 * are kept alive between pushes (a round, a retry with a snapshot, the next round). Errors
 * become short sentences for the dashboard: "connection refused", "timed out after 5 s".
 */

export type AgentAnswer = { status: number; body: Record<string, unknown> | null };

export class DeliveryError extends Error {}

const answerLimit = 16 << 20;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxFreeSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxFreeSockets: 256 }),
};

export async function postToAgent(url: string, body: { chunks: Buffer[]; gzip: boolean }, timeoutMs: number): Promise<AgentAnswer> {
  try {
    return await postOnce(url, body, timeoutMs);
  } catch (e) {
    // A kept-alive socket the agent closed just as we reused it: one fresh attempt.
    if ((e as { reused?: boolean }).reused) return postOnce(url, body, timeoutMs);
    throw e;
  }
}

function postOnce(url: string, body: { chunks: Buffer[]; gzip: boolean }, timeoutMs: number): Promise<AgentAnswer> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const agent = agents[target.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new DeliveryError(`the agent URL ${url} is not http or https`));
  const length = body.chunks.reduce((n, c) => n + c.length, 0);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, answer?: AgentAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const req = transport.request(target, {
      method: 'POST', agent,
      headers: {
        'content-type': 'application/json', 'content-length': length,
        ...(body.gzip ? { 'content-encoding': 'gzip' } : {}),
      },
    }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        // An answer lists one line per WireGuard peer (~150 B): far below this even at 50,000.
        if (size > answerLimit) req.destroy(new DeliveryError(`the agent's answer is over ${answerLimit >> 20} MiB`));
        else parts.push(c);
      });
      res.on('error', (e) => finish(describe(e, timeoutMs)));
      res.on('end', () => {
        let parsed: Record<string, unknown> | null = null;
        try { parsed = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>; } catch { /* left null */ }
        finish(null, { status: res.statusCode ?? 0, body: parsed && typeof parsed === 'object' ? parsed : null });
      });
    });
    const timer = setTimeout(() => req.destroy(new DeliveryError(`timed out after ${seconds(timeoutMs)}`)), timeoutMs);
    req.on('error', (e) => {
      const err = describe(e, timeoutMs);
      if (req.reusedSocket && isReset(e)) Object.assign(err, { reused: true });
      finish(err);
    });
    for (const chunk of body.chunks) req.write(chunk);
    req.end();
  });
}

const isReset = (e: unknown) => ['ECONNRESET', 'EPIPE'].includes((e as { code?: string }).code ?? '');

function describe(e: unknown, timeoutMs: number): DeliveryError {
  if (e instanceof DeliveryError) return e;
  const code = (e as { code?: string }).code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by the agent',
    EPIPE: 'connection closed by the agent',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'agent host name not found',
    EAI_AGAIN: 'agent host name could not be resolved',
    ETIMEDOUT: `timed out after ${seconds(timeoutMs)}`,
  };
  return new DeliveryError(code && words[code] ? words[code] : (e as Error)?.message ?? String(e));
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
