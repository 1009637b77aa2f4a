import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { getDb } from '../db/client';
import { nextEnvelope } from '../delivery/channel';
import { authenticateHost } from '../delivery/host-auth';
import { errorAnswer, invalid } from '../errors';
import { agentChannelsOpen } from '../metrics/process-metrics';
import { maxBodyBytes } from './body';
import { agentCaller } from './direct-agent';

/*
 * The agent's channel as a WebSocket (docs/agent-protocol.md, "The channel"): the same
 * exchange as the long-poll, without an HTTP request and response per change. The agent sends
 * a poll, `{"after": V, "answer"?: {version, status, body}}`; the server answers it with one
 * envelope, held until there is one (nextEnvelope, exactly as a long-poll: same checks, same
 * records). A text frame is the envelope's JSON, a binary frame the same gzipped (a large
 * snapshot, compressed once for every host). A refusal closes the connection with 4000 +
 * the HTTP status (4401: the host token was refused) and the error's code as the reason.
 * Agents behind a proxy that does not pass upgrades fall back to the long-poll.
 */

const streamPath = '/api/agent/v1/stream';

// No per-message deflate: a zlib context per connection is ~300 kB, thousands of hosts' worth.
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: maxBodyBytes });

const pollSchema = z.object({
  after: z.number().int().min(0).refine(Number.isSafeInteger),
  answer: z.unknown().optional(),
});

/** A refusal before the upgrade, as an HTTP answer on the raw socket (nothing else can be sent yet). */
function refuseUpgrade(socket: Duplex, error: unknown) {
  const { status, body } = errorAnswer(error);
  const json = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`);
}

/**
 * Takes `req` and resolves true when it asks for the agent's stream; false at once otherwise
 * (the caller hands other upgrades on, or drops them). `holdMs`: tests shorten the hold.
 */
export function serveAgentStream(req: IncomingMessage, socket: Duplex, head: Buffer, opts: { holdMs?: number } = {}): boolean {
  if ((req.url ?? '').split('?')[0] !== streamPath) return false;
  socket.on('error', () => socket.destroy());
  const { authorization, from } = agentCaller(req);
  void (async () => {
    try {
      // Refused before the upgrade: an unknown token gets a 401 and never a connection.
      await authenticateHost(await getDb(), authorization);
    } catch (error) {
      refuseUpgrade(socket, error);
      return;
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => converse(ws, authorization, from, opts.holdMs));
  })();
  return true;
}

function converse(ws: WebSocket, authorization: string | null, from: string | null, holdMs: number | undefined) {
  const gone = new AbortController();
  let serving = false;
  let ponged = true;
  const open = agentChannelsOpen.labels('stream');
  open.inc();
  ws.on('close', () => { open.dec(); gone.abort(); });
  ws.on('error', () => ws.terminate());
  ws.on('pong', () => { ponged = true; });
  const refuse = (error: unknown) => {
    const { status, body } = errorAnswer(error);
    if (ws.readyState === ws.OPEN) ws.close(4000 + status, body.error.code);
  };
  ws.on('message', (data, isBinary) => {
    let poll: z.infer<typeof pollSchema>;
    try {
      if (serving) throw invalid('One poll at a time: send the next one after its envelope.');
      const parsed = pollSchema.safeParse(isBinary ? undefined : JSON.parse(data.toString()));
      if (!parsed.success) throw invalid('Send {"after": the version applied, "answer"?: {version, status, body}}.');
      poll = parsed.data;
    } catch (error) {
      return refuse(error instanceof SyntaxError ? invalid('A poll is a JSON text frame.') : error);
    }
    serving = true;
    void (async () => {
      const db = await getDb();
      let answer = poll.answer;
      for (;;) {
        const reply = await nextEnvelope(db, authorization, String(poll.after), { signal: gone.signal, from, answer, holdMs });
        if (gone.signal.aborted) return;
        if (reply.status === 200) return ws.send(reply.body, { binary: reply.gzip });
        answer = undefined;
        // A hold ended with nothing new (the host was marked seen): check that the agent is
        // still there, as a poll's end would show; one missed pong and it is let go.
        if (!ponged) return ws.terminate();
        ponged = false;
        ws.ping();
      }
    })().catch(refuse).finally(() => { serving = false; });
  });
}
