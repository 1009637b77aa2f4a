import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { test, expect, createToken, createUser, signIn, uniqueEmail } from './fixtures';
import { generateKeyPair, publicKeyFromPrivate } from '../lib/core/wireguard/keys';

// My access, end to end: keys made in Chromium, the file downloaded, the QR code on screen
// decoded back to the file's exact bytes. Seeding goes through the JSON API with a token.

const jsqrPath = createRequire(import.meta.url).resolve('jsqr/dist/jsQR.js');

async function call(request: APIRequestContext, token: string, method: string, url: string, data?: unknown) {
  const res = await request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, data });
  return { status: res.status(), body: res.status() === 204 ? null : await res.json() };
}

async function ok(request: APIRequestContext, token: string, method: string, url: string, data?: unknown) {
  const res = await call(request, token, method, url, data);
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

/** An owner's project with a network whose external member has two instances, the first with a registered key. */
async function seed(request: APIRequestContext) {
  const owner = createUser(uniqueEmail('owner'));
  const token = createToken(owner.email);
  const project = await ok(request, token, 'POST', '/projects', { name: 'Devices e2e' });
  const network = await ok(request, token, 'POST', `/projects/${project.id}/networks`, { label: 'prod' });
  const member = await ok(request, token, 'POST', `/networks/${network.id}/members`, { kind: 'external', label: 'db-box', instances: 2 });
  const hostKey = generateKeyPair().publicKey;
  const [host, spare] = member.peers;
  await ok(request, token, 'PATCH', `/peers/${host.id}`, { publicKey: hostKey, endpoint: '203.0.113.10:51820' });
  return { owner, token, project, network, host, spare, hostKey };
}

async function addToTeam(request: APIRequestContext, s: Awaited<ReturnType<typeof seed>>, role: string) {
  const user = createUser(uniqueEmail(role));
  await ok(request, s.token, 'POST', `/projects/${s.project.id}/team`, { email: user.email, role });
  return user;
}

async function download(page: Page, scope: Locator, fileName: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), scope.getByRole('button', { name: `Download ${fileName}` }).click()]);
  expect(file.suggestedFilename()).toBe(fileName);
  return readFileSync(await file.path(), 'utf8');
}

/** The QR code as drawn on the page, rasterized in the browser and decoded by jsQR, as bytes. */
async function decodeQr(page: Page, scope: Locator): Promise<string> {
  await page.addScriptTag({ path: jsqrPath });
  const bytes = await scope.getByTestId('config-qr').evaluate(async (svg) => {
    const img = new Image();
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
    await img.decode();
    const size = 720;
    const canvas = Object.assign(document.createElement('canvas'), { width: size, height: size });
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0, size, size);
    const decode = (window as unknown as { jsQR: (d: Uint8ClampedArray, w: number, h: number) => { binaryData: number[] } | null }).jsQR;
    return decode(ctx.getImageData(0, 0, size, size).data, size, size)?.binaryData ?? null;
  });
  expect(bytes, 'jsQR found no QR code').not.toBeNull();
  return new TextDecoder().decode(new Uint8Array(bytes!));
}

/** The same code read from a screenshot of the screen by zbarimg, as a camera would. */
async function zbar(scope: Locator): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mp-qr-')), 'qr.png');
  await scope.getByTestId('config-qr').screenshot({ path: file });
  return execFileSync('zbarimg', ['--raw', '-q', '-Sbinary', file]).toString('utf8');
}

test('a developer adds a device, downloads its config and the QR code holds exactly the same text', async ({ page, request }) => {
  const s = await seed(request);
  const dev = await addToTeam(request, s, 'developer');
  await signIn(page, dev);
  await page.goto('/projects');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My access' }).click();
  await expect(page.getByRole('heading', { name: 'My access' })).toBeVisible();
  await expect(page.getByText('No devices yet')).toBeVisible();

  await page.getByLabel('Device name').fill('laptop');
  await page.getByRole('button', { name: 'Create device and config' }).click();
  const made = page.getByTestId('new-device-config');
  await expect(made.getByText('The private key stays in this browser.')).toBeVisible();
  const text = await download(page, made, 'mp-laptop.conf');
  await made.getByText('On Linux (wg-quick)').click();
  await expect(made.getByTestId('linux-advice')).toContainText('sudo wg-quick up mp-laptop');

  const prefix = s.network.cidr.split('.').slice(0, 2).join('.');
  expect(text).toMatch(new RegExp(`^\\[Interface\\]\\nPrivateKey = \\S{44}\\nAddress = ${prefix.replace('.', '\\.')}\\.255\\.254/32\\n`));
  expect(text).toContain(`[Peer]\nPublicKey = ${s.hostKey}\nEndpoint = 203.0.113.10:51820\nAllowedIPs = ${s.host.ip}/32\nPersistentKeepalive = 25\n`);
  expect(await decodeQr(page, made)).toBe(text);
  expect(await zbar(made)).toBe(text);

  // The server holds the public half of the key in the file, and never the private half.
  const devToken = createToken(dev.email);
  const { items } = await ok(request, devToken, 'GET', '/devices');
  const privateKey = /PrivateKey = (\S+)/.exec(text)![1];
  expect(items).toHaveLength(1);
  expect(items[0].publicKey).toBe(publicKeyFromPrivate(privateKey));
  expect(JSON.stringify(items)).not.toContain(privateKey);
  const card = page.getByTestId('device-laptop');
  await expect(card.getByText('up to date', { exact: true })).toBeVisible();
  const { dnsName } = items[0].addresses[0];
  expect(dnsName).toMatch(new RegExp(`^laptop\\.[a-z0-9-]+\\.dev\\.${s.network.id}\\.mesh\\.internal$`));
  await expect(card.getByText(dnsName)).toBeVisible();

  // A host moves: the page says so, and Regenerate hands out a fresh config with a new key.
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  await ok(request, s.token, 'PATCH', `/peers/${s.host.id}`, { endpoint: '203.0.113.11:51820' });
  await page.reload();
  await expect(card.getByText('Out of date — download a new config.')).toBeVisible();
  await card.getByRole('button', { name: 'Regenerate' }).click();
  await page.getByRole('button', { name: 'Regenerate key and config' }).click();
  const fresh = card.getByTestId('fresh-device-config');
  const newText = await download(page, fresh, 'mp-laptop.conf');
  expect(newText).toContain('Endpoint = 203.0.113.11:51820');
  expect(newText).not.toContain(privateKey);
  expect(await decodeQr(page, fresh)).toBe(newText);
  await expect(card.getByText('up to date', { exact: true })).toBeVisible();
  expect((await ok(request, devToken, 'GET', `/devices/${items[0].id}/config`)).stale).toBe(false);
});

test('My access loads no zod, and its key and QR code only once a config is made', async ({ page, request }) => {
  const s = await seed(request);
  const dev = await addToTeam(request, s, 'developer');
  await signIn(page, dev);
  const scripts: Promise<string>[] = [];
  page.on('response', (r) => { if (new URL(r.url()).pathname.endsWith('.js')) scripts.push(r.text().catch(() => '')); });
  await page.goto('/access');
  await expect(page.getByText('No devices yet')).toBeVisible();
  await page.waitForLoadState('networkidle');
  const first = (await Promise.all(scripts)).join('\n');
  expect(first).toContain('Create device and config'); // the page's own script is among them
  expect(first).not.toContain('ZodError'); // zod is ~100 KB; the page validates nothing itself
  expect(first).not.toContain('invalid private or public key received'); // @noble/curves' X25519
  expect(first).not.toContain('Version number out of range'); // qrcode.react

  await page.getByLabel('Device name').fill('phone');
  await page.getByRole('button', { name: 'Create device and config' }).click();
  await expect(page.getByTestId('new-device-config').getByTestId('config-qr')).toBeVisible();
  const all = (await Promise.all(scripts)).join('\n');
  expect(all).toContain('invalid private or public key received');
  expect(all).toContain('Version number out of range');
});

test('a link inside the app asks before leaving an unsaved private key behind', async ({ page, request }) => {
  // Where the browser cannot keep the key (no IndexedDB: some private modes), the page is its only copy.
  await page.addInitScript(() => { Object.defineProperty(window, 'indexedDB', { value: undefined }); });
  const s = await seed(request);
  const dev = await addToTeam(request, s, 'developer');
  await signIn(page, dev);
  await page.goto('/access');
  await page.getByLabel('Device name').fill('tablet');
  await page.getByRole('button', { name: 'Create device and config' }).click();
  const made = page.getByTestId('new-device-config');
  await expect(made.getByText('The private key exists only in this page.')).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' });

  const asked: string[] = [];
  page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
  await nav.click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toContain('leaving loses it');
  await expect(page).toHaveURL(/\/access$/);
  await expect(made.getByText('The private key exists only in this page.')).toBeVisible();

  // Once the file is saved, links work without a question.
  await download(page, made, 'mp-tablet.conf');
  page.on('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
  await nav.click();
  await expect(page).toHaveURL(/\/projects$/);
  expect(asked).toHaveLength(1);
});

test('a viewer has no My access entry and the API answers 403', async ({ page, request }) => {
  const s = await seed(request);
  const viewer = await addToTeam(request, s, 'viewer');
  await signIn(page, viewer);
  await page.goto('/projects');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Projects' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'My access' })).toHaveCount(0);
  const res = await call(request, createToken(viewer.email), 'POST', '/devices', { name: 'laptop', publicKey: generateKeyPair().publicKey });
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('forbidden');
});

test('an admin generates a config for an external server run by hand', async ({ page, request }) => {
  const s = await seed(request);
  await signIn(page, s.owner);
  await page.goto(`/projects/${s.project.id}/networks/${s.network.id}/peers/${s.spare.id}`);
  await expect(page.getByText('no key yet')).toBeVisible();
  await page.getByLabel('Endpoint (optional)').fill('203.0.113.20:51820');
  await page.getByRole('button', { name: 'Generate config' }).click();
  const made = page.getByTestId('peer-config');
  const fileName = `mp-${s.spare.memberId.slice(3, 9)}-2.conf`;
  const text = await download(page, made, fileName);
  expect(text).toContain(`ListenPort = 51820\nAddress = ${s.spare.ip}/16\n`);
  expect(text).toContain(`PublicKey = ${s.hostKey}\nEndpoint = 203.0.113.10:51820\nAllowedIPs = ${s.host.ip}/32`);
  const peer = await ok(request, s.token, 'GET', `/peers/${s.spare.id}`);
  expect(peer.publicKey).toBe(publicKeyFromPrivate(/PrivateKey = (\S+)/.exec(text)![1]));
  expect(peer.endpoint).toBe('203.0.113.20:51820');
});
