/**
 * A newcomer's first start: the built app on embedded PGlite, no DATABASE_URL, production
 * mode. It must create and migrate its database and serve the sign-in page, with the headers
 * of next.config.ts, from the config its build wrote out: SWC's native compiler (which
 * loading next.config.ts itself would take, 24 MB resident) is never loaded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { requireBuild, stop } from './mesh-support';
import { freePort, serverEntry, waitForListening } from './server-process';

const root = process.cwd();

let child: ChildProcess | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), 'meshplane-pglite-'));

afterAll(async () => {
  // Not detached: if the test run is
  // killed as a process group, the server goes with it.
  if (child) await stop(child);
  rmSync(dataDir, { recursive: true, force: true });
});

it('starts on PGlite with no DATABASE_URL and serves the sign-in page', async () => {
  requireBuild(); // NEXT_DIST_DIR, read by next.config.ts too, passes on to the server
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    AUTH_SECRET: 'pglite-start-test-secret-0123456789abcdef',
    MESHPLANE_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  delete env.MESHPLANE_ENCRYPTION_KEY;

  let log = '';
  const started = Date.now();
  child = spawn(process.execPath, [serverEntry], { cwd: root, env });
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  await waitForListening(child, () => log, 90_000);

  const res = await fetch(`http://127.0.0.1:${port}/sign-in`);
  const html = await res.text();
  expect(res.status, log).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/html/);
  expect(html).toMatch(/<form/i);
  expect(html).toMatch(/sign in/i);
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true);
  expect(readFileSync(`/proc/${child.pid}/maps`, 'utf8')).not.toContain('next-swc');
  console.log(`pglite start: first 200 after ${Date.now() - started} ms`);
}, 120_000);
