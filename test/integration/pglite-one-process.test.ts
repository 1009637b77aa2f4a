/**
 * The embedded database is opened by one process only (issue 11), and its operations work
 * while the server runs (issue 18): a second server is refused at once, naming the first; the
 * CLI's commands run through the running server; a backup taken while it runs restores into
 * a new data dir with the data; a crashed server's lock does not block.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { requireBuild, stop } from './mesh-support';
import { exited, pgliteEnv, runCli, spawnServer, startServer, type ServerProcess } from './server-process';

const scratch = mkdtempSync(path.join(tmpdir(), 'mp-1p-'));
const dataDir = path.join(scratch, 'data');
const restoredDir = path.join(scratch, 'restored');
const backupFile = path.join(scratch, 'backup.tgz');
// One key for both data dirs: what the README tells an operator to keep with a backup.
const secrets = { MESHPLANE_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64') };
const env = pgliteEnv(dataDir, secrets);
const restoredEnv = pgliteEnv(restoredDir, secrets);
const email = `one-process-${Date.now()}@example.com`;
const servers: ServerProcess[] = [];
let server: ServerProcess;
let token = '';

afterAll(async () => {
  for (const s of servers) await stop(s);
  rmSync(scratch, { recursive: true, force: true });
});

const lockOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'pglite.lock'), 'utf8')) as { pid: number; nonce: string; socket?: string };
const api = (s: ServerProcess, p: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${s.port}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

it('a second server on the same data dir is refused at once, naming the data dir and the running server', async () => {
  requireBuild();
  server = await startServer(env);
  servers.push(server);
  const holder = lockOf(dataDir);
  expect(holder.socket).toBe(path.join(dataDir, 'cli.sock'));

  const started = Date.now();
  const second = await spawnServer(env);
  servers.push(second);
  expect(await exited(second)).toBe(1);
  console.log(`second server refused after ${Date.now() - started} ms`);
  const said = second.output();
  expect(said).toContain(`The embedded database in ${dataDir} is in use by process ${holder.pid}`);
  expect(said).toContain('the Meshplane server');
  expect(said).not.toContain('Meshplane is listening');
  expect(lockOf(dataDir).nonce).toBe(holder.nonce); // changed nothing
  expect((await fetch(`http://127.0.0.1:${server.port}/api/health`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${server.port}/api/ready`)).status).toBe(200);
}, 240_000);

it('the CLI works while the server runs: its commands run inside the server', async () => {
  const created = await runCli(['user', 'create', '--email', email, '--password', 'correct-horse-1', '--name', 'Ops'], env);
  expect(created.stderr).toContain(`created user ${email}`);
  expect(created.code).toBe(0);

  const minted = await runCli(['token', 'create', '--email', email], env);
  expect(minted.code, minted.stderr).toBe(0);
  token = minted.stdout.trim();
  expect(token).toMatch(/^\S+$/);
  // The server sees the user and the token: they are in its database, not in a second copy.
  const project = await api(server, '/api/v1/projects', { method: 'POST', body: JSON.stringify({ name: 'made while running' }) });
  expect(project.status).toBe(201);

  // A command that reads a secret: read here, handed to the server's run of it as its stdin.
  const reset = await runCli(['user', 'set-password', '--email', email], env, 90_000, 'correct-horse-2\n');
  expect(reset.code, reset.stderr).toBe(0);
  expect(reset.stderr).toContain(`password set for ${email}; 0 sessions ended`);

  const again = await runCli(['user', 'create', '--email', email, '--password', 'correct-horse-1'], env);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/already/i);
  const wrong = await runCli(['user', 'delete'], env);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain('usage:');
}, 180_000);

it('a backup taken while the server runs restores into a new data dir, with the data', async () => {
  const backup = await runCli(['backup', '--out', backupFile], env);
  expect(backup.code, backup.stderr).toBe(0);
  expect(backup.stderr).toContain(`wrote ${backupFile}`);

  // Not over the running server's database, with or without --force.
  for (const args of [['restore', '--from', backupFile], ['restore', '--from', backupFile, '--force']]) {
    const refused = await runCli(args, env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`in use by process ${lockOf(dataDir).pid}`);
    expect(refused.stderr).toContain('stop that process first');
  }

  const restored = await runCli(['restore', '--from', backupFile], restoredEnv);
  expect(restored.code, restored.stderr).toBe(0);
  expect(restored.stderr).toContain('(1 users)');
  const twice = await runCli(['restore', '--from', backupFile], restoredEnv);
  expect(twice.code).toBe(1);
  expect(twice.stderr).toContain('--force');

  const copy = await startServer(restoredEnv);
  servers.push(copy);
  const projects = await (await api(copy, '/api/v1/projects')).json();
  expect(projects.items.map((p: { name: string }) => p.name)).toEqual(['made while running']);
}, 240_000);

it("a crashed server's lock does not block: the next process takes it over", async () => {
  const copy = servers.at(-1)!;
  const { pid } = lockOf(restoredDir);
  process.kill(pid, 'SIGKILL'); // the node process itself, as a crash would
  await exited(copy);
  expect(existsSync(path.join(restoredDir, 'pglite.lock'))).toBe(true);
  const direct = await runCli(['token', 'create', '--email', email], restoredEnv);
  expect(direct.code, direct.stderr).toBe(0);
}, 120_000);

it('after the server stops, the CLI opens the database itself', async () => {
  await stop(server);
  expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
  expect(existsSync(path.join(dataDir, 'cli.sock'))).toBe(false);
  const direct = await runCli(['user', 'create', '--email', `after-${email}`, '--password', 'correct-horse-1'], env);
  expect(direct.code, direct.stderr).toBe(0);
  // And the database survived both processes: the server starts again with every user.
  const again = await startServer(env);
  servers.push(again);
  expect((await api(again, '/api/v1/projects')).status).toBe(200);
}, 240_000);
