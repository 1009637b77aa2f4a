import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, createUser, createToken, signIn, uniqueEmail } from './fixtures';

/*
 * Lease Now in the browser. The world is seeded through the JSON API as the owner; only the
 * firewall panel is clicked. The e2e server listens on 127.0.0.1, so that is "your IP".
 */

async function api(request: APIRequestContext, token: string, method: 'GET' | 'POST', path: string, data?: object) {
  const res = await request.fetch(`/api/v1${path}`, { method, data, headers: { Authorization: `Bearer ${token}` } });
  expect(res.ok(), `${method} ${path} answered ${res.status()}: ${await res.text()}`).toBe(true);
  return res.json();
}

/** An owner's project with one network, and the given users in its team. */
async function seed(request: APIRequestContext, team: { email: string; role: string }[]) {
  const owner = createUser(uniqueEmail('fw-owner'));
  const token = createToken(owner.email);
  const project = await api(request, token, 'POST', '/projects', { name: 'firewall e2e' });
  const network = await api(request, token, 'POST', `/projects/${project.id}/networks`, { label: 'prod' });
  for (const m of team) await api(request, token, 'POST', `/projects/${project.id}/team`, m);
  return { token, url: `/projects/${project.id}/networks/${network.id}`, networkId: network.id as string };
}

const countdownPattern = /^23:59:5\d$/;
const leases = (page: Page) => page.getByTestId('lease');

test('a developer leases their IP, sees the countdown, renews and revokes', async ({ page }) => {
  const dev = createUser(uniqueEmail('fw-dev'));
  const { token, url, networkId } = await seed(page.request, [{ email: dev.email, role: 'developer' }]);
  await signIn(page, dev);
  await page.goto(url);

  const yourIp = page.getByTestId('your-ip');
  await expect(yourIp).toContainText('127.0.0.1');
  await expect(yourIp).toContainText('not allowed');

  await page.getByRole('button', { name: 'Lease Now' }).click();
  await expect(leases(page)).toHaveCount(1);
  const lease = leases(page).first();
  await expect(lease).toContainText('127.0.0.1');
  await expect(lease).toContainText('leased by you');
  await expect(yourIp).toContainText('allowed by a lease');
  const countdown = lease.getByTestId('lease-countdown');
  await expect(countdown).toHaveText(countdownPattern);
  // It ticks: the text changes within a couple of seconds.
  const shown = await countdown.textContent();
  await expect(countdown).not.toHaveText(shown!, { timeout: 3_000 });

  // Pressing again from the same IP renews the lease rather than adding a second one.
  const before = (await api(page.request, token, 'GET', `/networks/${networkId}/firewall`)).leases;
  await page.waitForTimeout(1_100);
  await page.getByRole('button', { name: 'Lease Now' }).click();
  await expect.poll(async () => (await api(page.request, token, 'GET', `/networks/${networkId}/firewall`)).leases[0].expiresAt)
    .not.toBe(before[0].expiresAt);
  await expect(leases(page)).toHaveCount(1);

  const renewedFrom = (await api(page.request, token, 'GET', `/networks/${networkId}/firewall`)).leases[0].expiresAt;
  await page.waitForTimeout(1_100);
  await lease.getByRole('button', { name: 'Renew the lease of 127.0.0.1' }).click();
  await expect.poll(async () => (await api(page.request, token, 'GET', `/networks/${networkId}/firewall`)).leases[0].expiresAt)
    .not.toBe(renewedFrom);
  await expect(countdown).toHaveText(countdownPattern);

  await lease.getByRole('button', { name: 'Revoke' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke the lease of 127.0.0.1?' });
  await dialog.getByRole('button', { name: 'Revoke lease' }).click();
  await expect(leases(page)).toHaveCount(0);
  await expect(page.getByText('No active leases.')).toBeVisible();
  await expect(yourIp).toContainText('not allowed');
});

test('a viewer sees the leases and rules but no buttons', async ({ page }) => {
  const viewer = createUser(uniqueEmail('fw-viewer'));
  const { token, url, networkId } = await seed(page.request, [{ email: viewer.email, role: 'viewer' }]);
  await api(page.request, token, 'POST', `/networks/${networkId}/firewall/leases`, { ip: '203.0.113.5' });
  await api(page.request, token, 'POST', `/networks/${networkId}/firewall/rules`, { cidr: '198.51.100.0/24', note: 'office' });
  await signIn(page, viewer);
  await page.goto(url);

  await expect(leases(page)).toHaveCount(1);
  await expect(leases(page).first()).toContainText('203.0.113.5');
  await expect(leases(page).first().getByTestId('lease-countdown')).toHaveText(/^23:59:\d\d$/);
  await expect(page.getByTestId('rule')).toContainText('198.51.100.0/24');
  await expect(page.getByTestId('rule')).toContainText('office');
  await expect(page.getByTestId('your-ip')).toContainText('127.0.0.1');
  for (const name of ['Lease Now', 'Renew', 'Revoke', 'Delete', 'Add rule', 'Lease this IP']) {
    await expect(page.getByRole('button', { name, exact: false })).toHaveCount(0);
  }
  // And the API refuses what the page does not offer.
  const viewerToken = createToken(viewer.email);
  const res = await page.request.post(`/api/v1/networks/${networkId}/firewall/leases`, { data: {}, headers: { Authorization: `Bearer ${viewerToken}` } });
  expect(res.status()).toBe(403);
});
