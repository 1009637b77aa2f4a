import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/*
 * The built app and the CLI as child processes, for the tests of what happens between
 * processes (the embedded database's lock, the CLI through the server, a database that is down).
 */

export const root = process.cwd();
const tsx = path.join(root, 'node_modules/.bin/tsx');
/** The production server as `npm start` and setup.sh run it: the compiled bundle (scripts/build-server.mjs) under plain node. */
export const serverEntry = path.join(root, 'dist/server/server.mjs');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForListening(child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    if (output().includes('Meshplane is listening')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen within ${timeoutMs} ms:\n${output()}`);
}

/** The environment of a production server (or CLI) on `dataDir`'s PGlite, with nothing of the test database. */
export function pgliteEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    AUTH_SECRET: 'server-process-test-secret-0123456789abcdef',
    MESHPLANE_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    NEXT_TELEMETRY_DISABLED: '1',
    ...extra,
  };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return env;
}

export type ServerProcess = ChildProcess & { output: () => string; port: number };

/** The built server (`node dist/server/server.mjs`) with `env` on a free port; not waited for. */
export async function spawnServer(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverEntry], { cwd: root, env: { ...env, PORT: String(port) } });
  let log = '';
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  return Object.assign(child, { output: () => log, port });
}

export async function startServer(env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<ServerProcess> {
  const server = await spawnServer(env);
  await waitForListening(server, server.output, timeoutMs);
  return server;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** `npm run cli -- …args` as a process (from the repository, as npm runs it). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000, input?: string): Promise<CliResult> {
  const child = spawn(tsx, ['scripts/cli.ts', ...args], { cwd: root, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return exited(child).then((code) => {
    clearTimeout(timer);
    return { code, stdout, stderr };
  });
}
