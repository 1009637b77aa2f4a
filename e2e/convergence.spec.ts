import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIRequestContext, Page } from '@playwright/test';
import { x25519 } from '@noble/curves/ed25519.js';
import { test, expect, createUser, createToken, signIn, uniqueEmail } from './fixtures';

/*
 * Convergence you can see (issue 13, item 6): after a change the network page's line says
 * "version N: applied by X of Y hosts" and reaches "applied by N of N hosts, in Z s" by
 * itself; a host whose agent keeps failing is listed under it, with its reason, after 10 s.
 * E2E_SHOTS_DIR=<dir> also saves the page at 1280 and 375 px wide.
 */

/** A stand-in agent: applies every push and reports the version it carried, or (failing) answers 500. */
async function stubAgent(failing = false): Promise<{ url: string; server: Server; pushes: number[] }> {
  const pushes: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const message = JSON.parse(Buffer.from(JSON.parse(body).payload, 'base64').toString('utf8'));
      pushes.push(message.version);
      res.writeHead(failing ? 500 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(failing ? { error: { code: 'apply_failed', message: 'wg set failed' } } : { appliedVersion: message.version, peers: [] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, pushes };
}

async function networkOfHosts(request: APIRequestContext, auth: Record<string, string>, agentUrls: string[]) {
  const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e convergence' } })).json();
  const made = await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'converging' } });
  expect(made.status(), await made.text()).toBe(201);
  const network = await made.json();
  const created = await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'external', label: 'box', instances: agentUrls.length } });
  expect(created.status(), await created.text()).toBe(201);
  const member = await created.json();
  for (const [i, agentUrl] of agentUrls.entries()) {
    const { token } = await (await request.post(`/api/v1/peers/${member.peers[i].id}/enrollment-token`, { headers: auth })).json();
    const publicKey = Buffer.from(x25519.getPublicKey(x25519.utils.randomSecretKey())).toString('base64');
    const enrolled = await request.post('/api/agent/enroll', { data: { token, publicKey, endpoint: `127.0.0.${i + 1}:51820`, agentUrl } });
    expect(enrolled.status()).toBe(200);
  }
  return { projectId: project.id as string, networkId: network.id as string };
}

async function shots(page: Page, name: string) {
  const dir = process.env.E2E_SHOTS_DIR;
  if (!dir) return;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${dir}/${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: `${dir}/${name}-375.png`, fullPage: true });
  await page.getByTestId('convergence').locator('xpath=..').screenshot({ path: `${dir}/${name}-375-hosts.png` }); // the hosts card, close up
  await page.setViewportSize({ width: 1280, height: 720 });
}

test('after a change the network page\'s line reaches "applied by N of N hosts" by itself', async ({ page, request }) => {
  const agents = await Promise.all([stubAgent(), stubAgent(), stubAgent()]);
  try {
    const owner = createUser(uniqueEmail('owner'));
    const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
    const net = await networkOfHosts(request, auth, agents.map((a) => a.url));
    await signIn(page, owner);
    await page.goto(`/projects/${net.projectId}/networks/${net.networkId}`);
    const line = page.getByTestId('convergence');
    await expect(line).toContainText(/applied by 3 of 3 hosts, in [\d.]+ s/, { timeout: 15_000 });

    const rule = await request.post(`/api/v1/networks/${net.networkId}/firewall/rules`, { headers: auth, data: { cidr: '203.0.113.0/28' } });
    expect(rule.status()).toBe(201);
    const version = (await (await request.get(`/api/v1/networks/${net.networkId}/convergence`, { headers: auth })).json()).version as number;
    // The line follows the new version by itself (no reload, no button) and completes.
    await expect(line).toContainText(new RegExp(`version ${version}: applied by 3 of 3 hosts, in [\\d.]+ s`), { timeout: 15_000 });
    for (const a of agents) expect(a.pushes.at(-1)).toBe(version);
    // The header's version follows too: it is not the version the page was rendered at.
    await expect(page.getByTestId('config-version')).toHaveText(`v${version}`);
    await expect(page.getByTestId('convergence-lagging')).toHaveCount(0);
    await shots(page, 'complete');
  } finally {
    for (const a of agents) a.server.close();
  }
});

test('a host whose agent keeps failing is listed under the line with its reason after 10 s', async ({ page, request }) => {
  test.setTimeout(60_000);
  const agents = await Promise.all([stubAgent(), stubAgent(true)]);
  try {
    const owner = createUser(uniqueEmail('owner'));
    const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
    const net = await networkOfHosts(request, auth, agents.map((a) => a.url));
    await signIn(page, owner);
    await page.goto(`/projects/${net.projectId}/networks/${net.networkId}`);
    const line = page.getByTestId('convergence');
    await expect(line).toContainText('applied by 1 of 2 hosts', { timeout: 15_000 });
    const lagging = page.getByTestId('convergence-lagging');
    await expect(lagging).toContainText(/box instance #\d+ still at v0: agent could not apply version \d+ \(apply_failed/, { timeout: 20_000 });
    await shots(page, 'lagging');
  } finally {
    for (const a of agents) a.server.close();
  }
});
