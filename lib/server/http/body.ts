import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors';

/** The largest request body the API and the agent's channel read. */
export const maxBodyBytes = 1024 * 1024;

/** The whole body, or a 413 once it passes 1 MiB (the rest unread, so the connection closes after the answer). */
export async function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) {
      res.setHeader('connection', 'close');
      throw new AppError(413, 'too_large', 'The request body is larger than 1 MiB.');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
