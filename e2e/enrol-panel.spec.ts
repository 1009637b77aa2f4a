import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, createToken, createUser, signIn, uniqueEmail } from './fixtures';

// Issue 14, item 4: the enrol panel shows the install one-liner over MESHPLANE_PUBLIC_URL
// never the browser's origin; unset, it says to set MESHPLANE_PUBLIC_URL instead of a command.

async function ok(request: APIRequestContext, token: string, method: string, url: string, data?: unknown) {
  const res = await request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, data });
  const body = res.status() === 204 ? null : await res.json();
  expect(res.status(), `${method} ${url}: ${JSON.stringify(body)}`).toBeLessThan(300);
  return body;
}

async function peerPage(request: APIRequestContext) {
  const owner = createUser(uniqueEmail('enrol'));
  const token = createToken(owner.email);
  const pj = await ok(request, token, 'POST', '/projects', { name: 'Enrol panel' });
  const network = await ok(request, token, 'POST', `/projects/${pj.id}/networks`, { label: 'enrol' });
  const member = await ok(request, token, 'POST', `/networks/${network.id}/members`, { kind: 'external', label: 'edge' });
  return { owner, url: `/projects/${pj.id}/networks/${network.id}/peers/${member.peers[0].id}` };
}

/** With E2E_SHOTS_DIR set: the page at 1280 and 375 px wide. */
async function shots(page: Page, name: string) {
  const dir = process.env.E2E_SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
  }
}

// playwright.config.ts sets MESHPLANE_PUBLIC_URL to the server's address unless E2E_PUBLIC_URL=''.
const publicUrl = process.env.E2E_PUBLIC_URL ?? process.env.E2E_BASE_URL!;

test('Enrol this host shows the install command over MESHPLANE_PUBLIC_URL, or says to set it', async ({ page, request }) => {
  const s = await peerPage(request);
  await signIn(page, s.owner);
  await page.goto(s.url);
  await page.getByRole('button', { name: 'Enrol this host' }).click();
  const enrolment = (await page.getByTestId('enrollment-token').textContent())!.trim();
  expect(enrolment.length).toBeGreaterThan(10);
  if (!publicUrl) {
    await expect(page.getByTestId('public-url-unset')).toContainText('Set MESHPLANE_PUBLIC_URL to it');
    await expect(page.getByTestId('install-command')).toHaveCount(0);
    await expect(page.getByText('curl')).toHaveCount(0);
    await shots(page, 'enrol-panel-unset');
    return;
  }
  await expect(page.getByTestId('public-url-unset')).toHaveCount(0);
  await expect(page.getByTestId('install-command')).toContainText(`curl -fsSL ${publicUrl}/agent/install.sh | sudo sh -s -- --token ${enrolment} --endpoint <this-host's-public-ip>:`);
  await expect(page.getByText(`--server ${publicUrl} --token ${enrolment}`)).toBeVisible();
  // The served script carries the same address.
  expect(await (await request.get('/agent/install.sh')).text()).toContain(`SERVER="\${MESHPLANE_SERVER:-${publicUrl}}"`);
  await shots(page, 'enrol-panel');
});
