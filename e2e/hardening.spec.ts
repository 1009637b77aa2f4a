import type { APIRequestContext } from '@playwright/test';
import { test, expect, createToken } from './fixtures';

/*
 * Issue 11, point 7: security headers on every page and API answer, and a real 404 status
 * for dashboard pages of things that do not exist (or that the caller cannot see).
 */

async function api(request: APIRequestContext, token: string, path: string, data: object) {
  const res = await request.post(`/api/v1${path}`, { data, headers: { Authorization: `Bearer ${token}` } });
  expect(res.ok(), `POST ${path} answered ${res.status()}: ${await res.text()}`).toBe(true);
  return res.json();
}

const expectSecurityHeaders = (headers: Record<string, string>, what: string) => {
  expect(headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
};

test('every page and API answer carries the security headers', async ({ page, signedIn }) => {
  const token = createToken(signedIn.email);
  for (const path of ['/sign-in', '/projects', '/settings', '/no-such-page']) {
    const res = await page.request.get(path);
    expectSecurityHeaders(res.headers(), path);
  }
  expectSecurityHeaders((await page.request.get('/api/v1/projects')).headers(), 'API 401');
  expectSecurityHeaders((await page.request.get('/api/v1/projects', { headers: { Authorization: `Bearer ${token}` } })).headers(), 'API 200');
  expectSecurityHeaders((await page.request.post('/api/agent/enroll', { data: {} })).headers(), 'enroll 400');
});

test('unknown projects, networks, members and peers answer HTTP 404 with the not-found page', async ({ page, signedIn }) => {
  const token = createToken(signedIn.email);
  const project = await api(page.request, token, '/projects', { name: '404 e2e' });
  const network = await api(page.request, token, `/projects/${project.id}/networks`, { label: 'prod' });
  const member = await api(page.request, token, `/networks/${network.id}/members`, { kind: 'addon', label: 'db' });
  const peer = member.peers[0];
  const base = `/projects/${project.id}/networks/${network.id}`;
  test.setTimeout(90_000); // a dozen server renders on two busy cores
  // The real pages first: 200 (requests with the page's session: status and body, no browser rendering).
  for (const path of [`/projects/${project.id}`, base, `${base}/members/${member.id}`, `${base}/peers/${peer.id}`]) {
    expect((await page.request.get(path)).status(), path).toBe(200);
  }
  for (const path of [
    '/projects/pj-doesnotexist1', '/projects/pj-doesnotexist1/team', '/projects/not-an-id',
    `/projects/${project.id}/networks/pn-doesnotexist1`,
    `${base}/members/ad-doesnotexist1`,
    `${base}/peers/pe-doesnotexist1`,
    `/projects/pj-doesnotexist1/networks/${network.id}`, // a real network under a wrong project
  ]) {
    const res = await page.request.get(path);
    expect(res.status(), path).toBe(404);
    expect(await res.text(), path).toContain('This page does not exist, or it belongs to a project you are not part of.');
  }
  // An invitation link that never existed: 404 too, with the invitation's own words.
  const invitation = await page.request.get('/invitations/inv_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG');
  expect(invitation.status()).toBe(404);
  expect(await invitation.text()).toContain('Invitation not valid');
  // And in the browser: the status of the navigation itself, and the page it shows.
  expect((await page.goto(`${base}/peers/pe-doesnotexist1`))?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});
