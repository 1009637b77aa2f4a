import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { runThroughSocket, serveCliSocket, SocketUnreachable, socketPathOf, type CliIo } from '@/lib/server/cli/local-socket';

let server: Server | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'meshplane-sock-'));
afterEach(() => { server?.close(); server = undefined; });
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function capture(stdinText?: string): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => { out += c; });
  stderr.on('data', (c) => { err += c; });
  return { stdin: Readable.from(stdinText === undefined ? [] : [Buffer.from(stdinText)]), stdout, stderr, cwd: '/some/where', out: () => out, err: () => err };
}

it('runs a command in the serving process: its arguments and cwd in, its output, stdin and exit code across', async () => {
  const socket = socketPathOf(dir);
  const seen: { argv: string[]; cwd: string }[] = [];
  server = await serveCliSocket(socket, async (argv, io) => {
    seen.push({ argv, cwd: io.cwd });
    let input = '';
    for await (const chunk of io.stdin) input += chunk;
    io.stdout.write(`read ${input.length} bytes: ${input.toUpperCase()}\n`);
    io.stderr.write('a note\n');
    return 3;
  });
  expect(statSync(socket).mode & 0o777).toBe(0o600);
  const io = capture('secret\n');
  expect(await runThroughSocket(socket, ['user', 'set-password', '--email', 'a@b.c'], io)).toBe(3);
  expect(seen).toEqual([{ argv: ['user', 'set-password', '--email', 'a@b.c'], cwd: '/some/where' }]);
  expect(io.out()).toBe('read 7 bytes: SECRET\n\n');
  expect(io.err()).toBe('a note\n');
});

it('a command that reads no stdin does not wait for it', async () => {
  const socket = socketPathOf(dir);
  server = await serveCliSocket(socket, async (_argv, io) => { io.stdout.write('done\n'); return 0; });
  const io = capture();
  io.stdin = new PassThrough(); // never ends, like a terminal nobody types into
  expect(await runThroughSocket(socket, ['x'], io)).toBe(0);
  expect(io.out()).toBe('done\n');
});

it('a command that throws inside the server exits 1 with a line, not a hang', async () => {
  const socket = socketPathOf(dir);
  server = await serveCliSocket(socket, async () => { throw new Error('boom'); });
  const io = capture();
  expect(await runThroughSocket(socket, ['x'], io)).toBe(1);
  expect(io.err()).toMatch(/failed inside the server/);
});

it('replaces a dead server\'s socket file, and says when nothing listens', async () => {
  const socket = socketPathOf(dir);
  server = await serveCliSocket(socket, async () => 0);
  server.close();
  server = undefined;
  await expect(runThroughSocket(socket, ['x'], capture())).rejects.toBeInstanceOf(SocketUnreachable);
  server = await serveCliSocket(socket, async () => 5);
  expect(await runThroughSocket(socket, ['x'], capture())).toBe(5);
});
