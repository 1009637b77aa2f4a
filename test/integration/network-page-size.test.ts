/**
 * The network page does not grow with the network (issue 19): its HTML at 600 hosts in 30
 * members is within 20 % of its HTML at 120 hosts in 6 (both fill the 100-row hosts page;
 * the members list, the policy matrix and the devices are bounded).
 * The built server on the test database, seeded through the operations; a signed-in GET.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createProjectOp } from '@/lib/server/projects/operations';
import { createNetworkOp } from '@/lib/server/networks/operations';
import { createMemberOp } from '@/lib/server/members/operations';
import { useTestDb } from './db';
import { makeUser, principalOf, testPassword } from './factories';
import { requireBuild, stop } from './mesh-support';
import { freePort, serverEntry, waitForListening } from './server-process';

const t = useTestDb();
let server: ChildProcess | undefined;
let base = '';
afterAll(async () => { if (server) await stop(server); });

beforeAll(async () => {
  requireBuild();
  const port = await freePort();
  let log = '';
  server = spawn(process.execPath, [serverEntry], {
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: inject('testDatabaseUrl'), MESHPLANE_PROCESSES: '1', MESHPLANE_LISTEN: '0', MESHPLANE_WORKER_TIMER: '0' },
  });
  server.stdout!.on('data', (d) => { log += d; });
  server.stderr!.on('data', (d) => { log += d; });
  await waitForListening(server, () => log, 90_000);
  base = `http://127.0.0.1:${port}`;
}, 120_000);

/** A session cookie through next-auth's credentials callback, as a browser gets it. */
async function signIn(email: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = await csrf.json() as { csrfToken: string };
  const jar = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
    body: new URLSearchParams({ csrfToken, email, password: testPassword, callbackUrl: '/' }),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.split('=')[0].endsWith('authjs.session-token'));
  if (!session) throw new Error(`sign-in failed: ${res.status}`);
  return session;
}

it('serves the network page in about the same bytes at 120 hosts and at 600', async () => {
  const user = await makeUser(t.db);
  const owner = principalOf(user);
  const { id: projectId } = await createProjectOp.execute(owner, { name: 'page size' });
  const sizes: Record<string, number> = {};
  for (const [label, members] of [['small', Array(6).fill(20)], ['large', Array(30).fill(20)]] as const) {
    const { id: networkId } = await createNetworkOp.execute(owner, { projectId, label });
    for (const [i, instances] of members.entries()) await createMemberOp.execute(owner, { networkId, kind: 'addon', label: `batch-${i}`, instances });
    const cookie = await signIn(user.email);
    const res = await fetch(`${base}/projects/${projectId}/networks/${networkId}`, { headers: { cookie } });
    const html = await res.text();
    expect(res.status, html.slice(0, 300)).toBe(200);
    expect(html).toContain('data-testid="peers-table"');
    sizes[label] = Buffer.byteLength(html);
  }
  console.log(`network page: ${sizes.small} B at 120 hosts, ${sizes.large} B at 600`);
  expect(Math.abs(sizes.large - sizes.small) / sizes.small).toBeLessThan(0.2);
}, 180_000);
