import type { APIRequestContext } from '@playwright/test';
import { test, expect, createToken, createUser, signIn, uniqueEmail } from './fixtures';
import { generateKeyPair } from '../lib/core/wireguard/keys';

// My access with many devices (issue 19): 20 a page, only that page rendered; Next and
// Previous move between pages, on a desktop and on a phone.

async function ok(request: APIRequestContext, token: string, method: string, url: string, data?: unknown) {
  const res = await request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, data });
  expect(res.status(), `${method} ${url}`).toBeLessThan(300);
  return res.json();
}

for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 800 }]) {
  test(`My access shows 45 devices 20 a page at ${viewport.width} px`, async ({ page, request }) => {
    test.setTimeout(90_000);
    const user = createUser(uniqueEmail('pages'));
    const token = createToken(user.email);
    const project = await ok(request, token, 'POST', '/projects', { name: 'Access pages' });
    await ok(request, token, 'POST', `/projects/${project.id}/networks`, { label: 'prod' });
    for (let i = 0; i < 45; i++) await ok(request, token, 'POST', '/devices', { name: `dev-${String(i).padStart(2, '0')}`, publicKey: generateKeyPair().publicKey });

    await page.setViewportSize(viewport);
    await signIn(page, user);
    await page.goto('/access');
    const list = page.getByTestId('device-list');
    await expect(list.locator(':scope > li')).toHaveCount(20);
    await expect(list).toContainText('dev-00');
    await expect(page.getByText('devices 1–20 of 45')).toBeVisible();
    await page.getByRole('link', { name: 'Next →' }).click();
    await expect(page.getByText('devices 21–40 of 45')).toBeVisible();
    await expect(list).toContainText('dev-20');
    await expect(list).not.toContainText('dev-00');
    await page.getByRole('link', { name: 'Next →' }).click();
    await expect(list.locator(':scope > li')).toHaveCount(5);
    await expect(list).toContainText('dev-44');
    await page.getByRole('link', { name: '← Previous' }).click();
    await expect(page.getByText('devices 21–40 of 45')).toBeVisible();
    // Nothing scrolls sideways on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.goto('/access?page=1');
    await page.screenshot({ path: `/tmp/h19a-shots/access-${viewport.width}.png`, fullPage: false });
  });
}
