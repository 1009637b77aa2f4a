import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, createToken, createUser, signIn, uniqueEmail } from './fixtures';
import { generateKeyPair, publicKeyFromPrivate } from '../lib/core/wireguard/keys';

// Issue 16: configs that survive host changes, that never look ready when they reach nothing,
// that refresh with the same key in the same browser, and devices' liveness from the hosts.

async function ok(request: APIRequestContext, token: string, method: string, url: string, data?: unknown) {
  const res = await request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, data });
  const body = res.status() === 204 ? null : await res.json();
  expect(res.status(), `${method} ${url}: ${JSON.stringify(body)}`).toBeLessThan(300);
  return body;
}

/** A stand-in agent that applies every push and reports handshakes with `heard` keys. */
async function stubAgent(heard: () => string[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const message = JSON.parse(Buffer.from(JSON.parse(body).payload, 'base64').toString('utf8'));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const at = new Date().toISOString();
      res.end(JSON.stringify({ appliedVersion: message.version, peers: heard().map((publicKey) => ({ publicKey, latestHandshake: at, rxBytes: 1, txBytes: 1 })) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function enrol(request: APIRequestContext, token: string, peerId: string, agentUrl: string, endpoint: string) {
  const { token: enrolment } = await ok(request, token, 'POST', `/peers/${peerId}/enrollment-token`);
  const res = await request.post('/api/agent/enroll', { data: { token: enrolment, publicKey: generateKeyPair().publicKey, endpoint, agentUrl } });
  expect(res.status()).toBe(200);
}

async function project(request: APIRequestContext, label: string) {
  const owner = createUser(uniqueEmail('owner'));
  const token = createToken(owner.email);
  const pj = await ok(request, token, 'POST', '/projects', { name: `Configs ${label}` });
  const network = await ok(request, token, 'POST', `/projects/${pj.id}/networks`, { label });
  return { owner, token, project: pj, network };
}

async function download(page: Page, scope: ReturnType<Page['getByTestId']>, fileName: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), scope.getByRole('button', { name: `Download ${fileName}` }).click()]);
  return readFileSync(await file.path(), 'utf8');
}

test('three devices, then a host added and enrolled: none is stale, the network says which host is the gateway, and liveness shows', async ({ page, request }) => {
  const heard: string[] = [];
  const agent = await stubAgent(() => heard);
  try {
    const s = await project(request, 'survive');
    const gw = await ok(request, s.token, 'POST', `/networks/${s.network.id}/members`, { kind: 'external', label: 'edge' });
    await enrol(request, s.token, gw.peers[0].id, agent.url, '127.0.0.1:51820');
    const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    for (const [i, name] of ['laptop', 'phone', 'tablet'].entries()) await ok(request, s.token, 'POST', '/devices', { name, publicKey: keys[i].publicKey });

    const db = await ok(request, s.token, 'POST', `/networks/${s.network.id}/members`, { kind: 'addon', label: 'db' });
    await enrol(request, s.token, db.peers[0].id, agent.url, '127.0.0.1:51821');
    const { items } = await ok(request, s.token, 'GET', '/devices');
    expect(items.map((d: { stale: boolean }) => d.stale)).toEqual([false, false, false]);

    await signIn(page, s.owner);
    await page.goto('/access');
    for (const name of ['laptop', 'phone', 'tablet']) {
      const card = page.getByTestId(`device-${name}`);
      await expect(card.getByText('up to date', { exact: true })).toBeVisible();
      await expect(card.getByTestId('device-liveness')).toHaveText('never connected');
    }

    // A host hears the laptop: its next answer says so (a change is pushed by itself, the
    // worker call only makes sure), and the card and the network show it.
    heard.push(keys[0].publicKey);
    await ok(request, s.token, 'POST', `/networks/${s.network.id}/firewall/rules`, { cidr: '203.0.113.0/24', note: 'office' });
    const round = await request.post('/api/worker', { headers: { Authorization: `Bearer ${process.env.E2E_WORKER_SECRET}` } });
    expect(round.status()).toBe(200);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId('device-laptop').getByTestId('device-liveness')).toHaveText('connected', { timeout: 1000 });
    }).toPass({ timeout: 15_000 });

    await page.goto(`/projects/${s.project.id}/networks/${s.network.id}`);
    const gateway = page.getByTestId('network-gateway');
    await expect(gateway).toContainText('Devices reach this network through edge #1');
    await expect(gateway).toContainText('Chosen automatically when there is none.');
    await expect(page.getByTestId('network-device-laptop-' + items[0].addresses[0].dnsName.split('.')[1]).getByTestId('device-liveness')).toHaveText('connected');
    await page.setViewportSize({ width: 375, height: 800 }); // phones: cards, the status in sight
    const connected = page.getByTestId('network-devices-cards').getByText('connected', { exact: true });
    await connected.scrollIntoViewIfNeeded();
    await expect(connected).toBeInViewport({ ratio: 1 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 800 });
    await gateway.getByRole('button', { name: 'Turn automatic choice off' }).click();
    await expect(gateway).toContainText('Automatic choice is off');
    expect((await ok(request, s.token, 'GET', `/networks/${s.network.id}`)).autoGateway).toBe(false);
  } finally {
    agent.server.close();
  }
});

test('a config with no peer is never offered as ready: the page and the API say what the operator must do', async ({ page, request }) => {
  const s = await project(request, 'empty');
  await signIn(page, s.owner);
  await page.goto('/access');
  await page.getByLabel('Device name').fill('laptop');
  await page.getByRole('button', { name: 'Create device and config' }).click();
  const made = page.getByTestId('new-device-config');
  await expect(made.getByTestId('reach-warnings')).toContainText('Not ready: this config reaches nothing yet.');
  await expect(made.getByTestId('reach-warnings')).toContainText(`No host in ${s.network.label} has enrolled yet`);
  await page.getByRole('button', { name: 'Done', exact: true }).click();

  const card = page.getByTestId('device-laptop');
  await expect(card.getByText('not ready', { exact: true })).toBeVisible();
  await expect(card.getByText('up to date', { exact: true })).toHaveCount(0);
  await expect(card.getByTestId('network-unreachable')).toContainText('An admin must enrol a host');

  const { items } = await ok(request, s.token, 'GET', '/devices');
  const config = await ok(request, s.token, 'GET', `/devices/${items[0].id}/config`);
  expect(config.peers).toEqual([]);
  expect(config.networks).toEqual([{ networkId: s.network.id, networkLabel: s.network.label, reachable: false, reason: expect.stringContaining('must enrol a host') }]);
});

test('Update config keeps the public key in this browser; another browser is told to Regenerate; the key can be forgotten', async ({ page, browser, request }) => {
  const s = await project(request, 'refresh');
  const host = await ok(request, s.token, 'POST', `/networks/${s.network.id}/members`, { kind: 'external', label: 'box' });
  await ok(request, s.token, 'PATCH', `/peers/${host.peers[0].id}`, { publicKey: generateKeyPair().publicKey, endpoint: '203.0.113.10:51820' });
  await signIn(page, s.owner);
  await page.goto('/access');
  await page.getByLabel('Device name').fill('laptop');
  await page.getByRole('button', { name: 'Create device and config' }).click();
  const made = page.getByTestId('new-device-config');
  const first = await download(page, made, 'mp-laptop.conf');
  const privateKey = /PrivateKey = (\S+)/.exec(first)![1];
  await page.getByRole('button', { name: 'Done', exact: true }).click();

  await ok(request, s.token, 'PATCH', `/peers/${host.peers[0].id}`, { endpoint: '203.0.113.11:51820' });
  await page.reload();
  const card = page.getByTestId('device-laptop');
  await expect(card.getByText('Out of date — download a new config.')).toBeVisible();
  await expect(card.getByTestId('device-changes')).toContainText(`moved from 203.0.113.10:51820 to 203.0.113.11:51820`);

  // Another browser (its own IndexedDB) has no key: it is told plainly, and offered Regenerate only.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, s.owner);
  await otherPage.goto('/access');
  const otherCard = otherPage.getByTestId('device-laptop');
  await expect(otherCard.getByText('This browser does not hold this device’s private key')).toBeVisible();
  await expect(otherCard.getByRole('button', { name: 'Update config' })).toHaveCount(0);
  await other.close();

  await card.getByRole('button', { name: 'Update config' }).click();
  const fresh = card.getByTestId('fresh-device-config');
  const updated = await download(page, fresh, 'mp-laptop.conf');
  expect(updated).toContain(`PrivateKey = ${privateKey}\n`);
  expect(updated).toContain('Endpoint = 203.0.113.11:51820');
  const { items } = await ok(request, s.token, 'GET', '/devices');
  expect(items[0].publicKey).toBe(publicKeyFromPrivate(privateKey));
  expect(items[0].stale).toBe(false);
  await fresh.getByRole('button', { name: 'Done', exact: true }).click();
  await expect(card.getByText('up to date', { exact: true })).toBeVisible();

  page.once('dialog', (d) => void d.accept());
  await card.getByRole('button', { name: 'Forget the key in this browser' }).click();
  await expect(card.getByRole('button', { name: 'Update config' })).toHaveCount(0);
  await page.reload();
  await expect(card.getByText('up to date', { exact: true })).toBeVisible();
  await expect(card.getByRole('button', { name: 'Update config' })).toHaveCount(0);
});

test('the team page shows whole names and emails on a phone', async ({ page, request }) => {
  const s = await project(request, 'team');
  const long = createUser(uniqueEmail('a-very-long-mailbox-name-for-a-phone-screen'), undefined, 'Dana Alexandra Montgomery-Fitzgerald');
  await ok(request, s.token, 'POST', `/projects/${s.project.id}/team`, { email: long.email, role: 'developer' });
  await page.setViewportSize({ width: 375, height: 800 });
  await signIn(page, s.owner);
  await page.goto(`/projects/${s.project.id}/team`);
  const row = page.getByTestId(`team-${long.email}`);
  for (const text of [long.name, long.email]) {
    const el = row.getByText(text, { exact: false }).first();
    await expect(el).toBeVisible();
    // Whole: nothing cut off (no ellipsis, no overflow), and inside the screen.
    expect(await el.evaluate((e) => e.scrollWidth <= e.clientWidth + 1)).toBe(true);
    const box = (await el.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(375);
  }
});
