import { chmodSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { z } from 'zod';

/*
 * The embedded database allows one process, so while the server runs on it, `npm run cli`
 * runs its command inside the server: it sends its arguments over a Unix socket in the data
 * dir (mode 600: the machine's admin only), and the server runs the same command function
 * with its own database, streaming the command's stdout and stderr back (and the CLI's stdin
 * once the command reads it). Any command works this way without plumbing of its own.
 *
 * Frames are JSON lines; bytes are base64.
 */

/** What a command reads and writes: the process's own streams, or the socket's. */
export type CliIo = { stdin: Readable; stdout: Writable; stderr: Writable; cwd: string };
export type CliRunner = (argv: string[], io: CliIo) => Promise<number>;

const clientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), argv: z.array(z.string().max(10_000)).max(100), cwd: z.string().max(4096) }),
  z.object({ type: z.literal('stdin'), data: z.base64() }),
  z.object({ type: z.literal('stdin-end') }),
]);
const serverFrame = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['stdout', 'stderr']), data: z.base64() }),
  z.object({ type: z.literal('stdin-wanted') }),
  z.object({ type: z.literal('exit'), code: z.number().int() }),
]);
type ClientFrame = z.infer<typeof clientFrame>;
type ServerFrame = z.infer<typeof serverFrame>;

export const socketPathOf = (dataDir: string) => path.join(path.resolve(dataDir), 'cli.sock');

/** Unix socket paths are limited to 107 bytes (sun_path). */
export const socketPathFits = (socketPath: string) => Buffer.byteLength(socketPath) <= 107;

function send(socket: net.Socket, frame: ClientFrame | ServerFrame) {
  if (!socket.destroyed) socket.write(JSON.stringify(frame) + '\n');
}

function frames<T>(socket: net.Socket, schema: z.ZodType<T>, onFrame: (frame: T) => void, onBad: (why: string) => void) {
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.on('error', () => {}); // the socket's own error handler says what went wrong
  lines.on('line', (line) => {
    let parsed: z.ZodSafeParseResult<T>;
    try { parsed = schema.safeParse(JSON.parse(line)); } catch { return onBad('a frame is not JSON'); }
    if (parsed.success) onFrame(parsed.data);
    else onBad(`a malformed frame (${parsed.error.issues[0]?.message})`);
  });
}

function streamTo(socket: net.Socket, type: 'stdout' | 'stderr'): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      send(socket, { type, data: Buffer.from(chunk).toString('base64') });
      done();
    },
  });
}

/**
 * Serves `run` on `socketPath`. The caller holds the data dir's lock, so a socket file left
 * there is a dead server's and is replaced.
 */
export function serveCliSocket(socketPath: string, run: CliRunner): Promise<net.Server> {
  try { unlinkSync(socketPath); } catch { /* none */ }
  const server = net.createServer((socket) => {
    let started = false;
    let stdinWanted = false;
    const stdin = new Readable({
      read() {
        if (!stdinWanted) {
          stdinWanted = true;
          send(socket, { type: 'stdin-wanted' });
        }
      },
    });
    socket.on('error', () => {});
    socket.on('close', () => stdin.push(null));
    frames(socket, clientFrame, (frame) => {
      if (frame.type === 'stdin') stdin.push(Buffer.from(frame.data, 'base64'));
      else if (frame.type === 'stdin-end') stdin.push(null);
      else if (!started) {
        started = true;
        const io: CliIo = { stdin, stdout: streamTo(socket, 'stdout'), stderr: streamTo(socket, 'stderr'), cwd: frame.cwd };
        run(frame.argv, io)
          .catch((e) => {
            console.error('CLI command through the local socket failed', e);
            io.stderr.write('The command failed inside the server (see its log).\n');
            return 1;
          })
          .then((code) => {
            send(socket, { type: 'exit', code });
            socket.end();
          });
      }
    }, (why) => {
      send(socket, { type: 'stderr', data: Buffer.from(`refused: ${why}\n`).toString('base64') });
      send(socket, { type: 'exit', code: 2 });
      socket.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // The socket is created with mode 600 (umask), not chmod-ed after a moment of being open.
    const umask = process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', reject);
        chmodSync(socketPath, 0o600);
        resolve(server);
      });
    } finally {
      process.umask(umask);
    }
  });
}

export class SocketUnreachable extends Error {}

/** Runs `argv` in the server listening on `socketPath`: the command's exit code. */
export function runThroughSocket(socketPath: string, argv: string[], io: CliIo): Promise<number> {
  return new Promise((resolve, reject) => {
    let connected = false;
    let code: number | undefined;
    const socket = net.connect(socketPath, () => {
      connected = true;
      send(socket, { type: 'run', argv, cwd: io.cwd });
    });
    socket.on('error', (e) => {
      if (!connected) reject(new SocketUnreachable(`cannot reach the server at ${socketPath}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    socket.on('close', () => {
      if (!connected) return;
      if (code === undefined) reject(new Error('the server closed the connection before the command finished (see its log)'));
      else resolve(code);
    });
    frames(socket, serverFrame, (frame) => {
      if (frame.type === 'stdout' || frame.type === 'stderr') (frame.type === 'stdout' ? io.stdout : io.stderr).write(Buffer.from(frame.data, 'base64'));
      else if (frame.type === 'exit') code = frame.code;
      else {
        io.stdin.on('data', (chunk: Buffer) => send(socket, { type: 'stdin', data: Buffer.from(chunk).toString('base64') }));
        io.stdin.on('end', () => send(socket, { type: 'stdin-end' }));
      }
    }, (why) => {
      socket.destroy();
      reject(new Error(`the server sent ${why}`));
    });
  });
}
