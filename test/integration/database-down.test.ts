/**
 * PostgreSQL down (issue 11): the built app, started while its database refuses connections,
 * keeps retrying with a line that names the database (host:port/db, never the password) and
 * serves once it comes up; then, with the database gone again, the API answers 503
 * `unavailable` and /api/ready 503 while /api/health stays 200; it recovers by itself.
 *
 * The database is the run's test database reached through a TCP relay on a port of the
 * test's own, which the test opens and closes.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, expect, inject, it } from 'vitest';
import { createApiToken } from '../../lib/server/tokens/api-tokens';
import { useTestDb } from './db';
import { makeUser } from './factories';
import { requireBuild, stop, waitFor } from './mesh-support';
import { freePort, spawnServer, waitForListening, type ServerProcess } from './server-process';

const t = useTestDb();
const password = 'relay-pass-never-logged';

/** Forwards a local port to the test database while open; close() also cuts what is connected. */
function relay(port: number, target: URL) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    open: () => new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = createConnection(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => { client.destroy(); upstream.destroy(); });
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    }),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = undefined;
    }),
  };
}

let app: ServerProcess | undefined;
let db: ReturnType<typeof relay> | undefined;
afterAll(async () => {
  if (app) await stop(app);
  await db?.close();
});

it('waits for a database that refuses, naming it, then serves; answers 503 while it is down again', async () => {
  requireBuild();
  const target = new URL(inject('testDatabaseUrl'));
  const port = await freePort();
  db = relay(port, target);
  const url = new URL(target);
  url.port = String(port);
  url.password = password; // trust authentication ignores it; it must never be printed
  const name = `127.0.0.1:${port}${url.pathname}`;

  const user = await makeUser(t.db);
  const { token } = await createApiToken(t.db, user.id, 'down-test');

  app = await spawnServer({
    ...process.env,
    NODE_ENV: 'production',
    AUTH_SECRET: 'database-down-test-secret-0123456789abcdef',
    DATABASE_URL: url.toString(),
    MESHPLANE_PROCESSES: '1',
    HOST: '127.0.0.1',
    NEXT_TELEMETRY_DISABLED: '1',
  });
  const running = app;
  await waitFor('the retry message', async () => running.output().match(/retrying in/g)?.length === 2, 60_000);
  const said = running.output();
  expect(said).toContain(`database ${name} is not reachable (ECONNREFUSED`);
  expect(said).not.toContain(password);
  expect(running.exitCode).toBeNull();
  await expect(fetch(`http://127.0.0.1:${running.port}/api/health`)).rejects.toThrow(); // not serving yet

  await db.open();
  await waitForListening(running, running.output, 120_000);
  expect(running.output()).toContain(`database ${name} is reachable`);
  const base = `http://127.0.0.1:${running.port}`;
  const projects = () => fetch(`${base}/api/v1/projects`, { headers: { authorization: `Bearer ${token}` } });
  expect((await projects()).status).toBe(200);
  expect((await fetch(`${base}/api/ready`)).status).toBe(200);

  await db.close();
  const down = await projects();
  expect(down.status).toBe(503);
  expect(await down.json()).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
  const ready = await fetch(`${base}/api/ready`);
  expect(ready.status).toBe(503);
  expect((await ready.json()).error.code).toBe('unavailable');
  const health = await fetch(`${base}/api/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });

  await db.open();
  await waitFor('the API to recover', async () => (await projects()).status === 200, 30_000);
  expect(running.output()).not.toContain(password);
}, 240_000);
