import { test, expect, createUser, createToken, signIn, uniqueEmail } from './fixtures';

const inCidr = (ip: string, cidr: string) => {
  const [base, bits] = cidr.split('/');
  const n = (a: string) => a.split('.').reduce((s, b) => s * 256 + Number(b), 0);
  return Math.floor(n(ip) / 2 ** (32 - Number(bits))) === Math.floor(n(base) / 2 ** (32 - Number(bits)));
};

test('an admin builds a network and an application, scales it, copies a name; a viewer sees it all without edit controls', async ({ page, browser, context, request }) => {
  const owner = createUser(uniqueEmail('owner'));
  const admin = createUser(uniqueEmail('admin'));
  const viewer = createUser(uniqueEmail('viewer'));
  const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
  const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e networks' } })).json();
  for (const [u, role] of [[admin, 'admin'], [viewer, 'viewer']] as const) {
    expect((await request.post(`/api/v1/projects/${project.id}/team`, { headers: auth, data: { email: u.email, role } })).status()).toBe(201);
  }

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, admin);
  await page.goto(`/projects/${project.id}`);
  await expect(page.getByText('No networks yet')).toBeVisible();
  await page.getByLabel('Label', { exact: true }).fill('backend');
  await page.getByLabel('CIDR').fill('8.8.8.0/24');
  await page.getByRole('button', { name: 'Create network' }).click();
  await expect(page.getByText('is in a public range')).toBeVisible();
  await page.getByLabel('Label', { exact: true }).fill('backend');
  await page.getByLabel('CIDR').fill('');
  await page.getByRole('button', { name: 'Create network' }).click();
  await expect(page.getByRole('heading', { name: 'backend' })).toBeVisible();
  const cidr = (await page.getByRole('button', { name: 'Copy CIDR' }).locator('xpath=preceding-sibling::code').textContent())!;
  expect(cidr).toMatch(/^10\.\d+\.0\.0\/16$/);

  const form = page.getByRole('form', { name: 'Add a member' });
  await form.getByLabel('Label').fill('api');
  await form.getByLabel('web instances').fill('2');
  await form.getByLabel('Other process').fill('worker');
  await form.getByLabel('Its instances').fill('1');
  await form.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('heading', { name: 'api' })).toBeVisible();
  const memberUrl = page.url();

  const rows = page.getByTestId('peers-table').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  const ips = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-peer-ip')!));
  expect(new Set(ips).size).toBe(3);
  for (const ip of ips) expect(inCidr(ip, cidr), `${ip} in ${cidr}`).toBe(true);
  const memberId = memberUrl.split('/').at(-1)!;
  const networkId = memberUrl.split('/networks/')[1].split('/')[0];
  await expect(page.getByTestId('domain-names')).toContainText(`2.web.${memberId}.${networkId}.mesh.internal`);
  await expect(page.getByTestId('domain-names')).toContainText(`worker.${memberId}.${networkId}.mesh.internal`);

  await page.getByLabel('Instances of worker').fill('3');
  await page.getByRole('listitem').filter({ has: page.getByLabel('Instances of worker') }).getByRole('button', { name: 'Scale' }).click();
  await expect(rows).toHaveCount(5);
  await expect(page.getByTestId('domain-names')).toContainText(`3.worker.${memberId}.${networkId}.mesh.internal`);

  const name = `3.worker.${memberId}.${networkId}.mesh.internal`;
  await page.getByTestId('domain-names').getByRole('button', { name: `Copy ${name}` }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(name);

  await page.getByLabel('Instances of worker').fill('1001');
  await page.getByRole('listitem').filter({ has: page.getByLabel('Instances of worker') }).getByRole('button', { name: 'Scale' }).click();
  // The browser refuses it before the server would (the server's refusal is an integration test).
  expect(await page.getByLabel('Instances of worker').evaluate((el) => (el as HTMLInputElement).validity.rangeOverflow)).toBe(true);
  await expect(rows).toHaveCount(5);

  const viewerPage = await (await browser.newContext()).newPage();
  await signIn(viewerPage, viewer);
  await viewerPage.goto(memberUrl);
  await expect(viewerPage.getByTestId('peers-table').locator('tbody tr')).toHaveCount(5);
  await expect(viewerPage.getByTestId('domain-names')).toContainText(name);
  await expect(viewerPage.getByRole('button', { name: 'Scale' })).toHaveCount(0);
  await expect(viewerPage.getByRole('button', { name: 'Delete member' })).toHaveCount(0);
  await viewerPage.goto(memberUrl.split('/members/')[0]);
  await expect(viewerPage.getByRole('button', { name: 'Add member' })).toHaveCount(0);
  await expect(viewerPage.getByRole('button', { name: 'Delete network' })).toHaveCount(0);
  await expect(viewerPage.getByText(ips[0])).toBeVisible();
});

test('scaling a process to 0 asks first, and Cancel keeps what was typed', async ({ page, request }) => {
  const owner = createUser(uniqueEmail('owner'));
  const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
  const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e scale' } })).json();
  const network = await (await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'scaled', cidr: '192.168.78.0/24' } })).json();
  const member = await (await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'application', label: 'api', processes: { web: 2, worker: 3 } } })).json();
  await signIn(page, owner);
  await page.goto(`/projects/${project.id}/networks/${network.id}/members/${member.id}`);
  const rows = page.getByTestId('peers-table').locator('tbody tr');
  await expect(rows).toHaveCount(5);
  const worker = page.getByRole('listitem').filter({ has: page.getByLabel('Instances of worker') });
  await page.getByLabel('Instances of worker').fill('0');
  await worker.getByRole('button', { name: 'Scale' }).click();
  const ask = page.getByRole('dialog', { name: 'Scale worker to 0?' });
  await expect(ask).toContainText('All 3 instances are removed');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await expect(ask).toBeHidden();
  await expect(rows).toHaveCount(5);
  await expect(page.getByLabel('Instances of worker')).toHaveValue('0');
  await worker.getByRole('button', { name: 'Scale' }).click();
  await ask.getByRole('button', { name: 'Scale to 0' }).click();
  await expect(rows).toHaveCount(2);
});

test('on a phone the hosts are cards with their status in view, and nothing scrolls sideways', async ({ page, request }) => {
  const owner = createUser(uniqueEmail('owner'));
  const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
  const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e phone' } })).json();
  const network = await (await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'pocket', cidr: '192.168.79.0/24' } })).json();
  await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'application', label: 'a-rather-long-application-label', processes: { web: 2 } } });
  await page.setViewportSize({ width: 375, height: 800 });
  await signIn(page, owner);
  await page.goto(`/projects/${project.id}/networks/${network.id}`);
  const cells = page.getByTestId('peer-status-cell');
  await expect(cells).toHaveCount(2);
  for (const cell of await cells.all()) {
    await cell.scrollIntoViewIfNeeded();
    await expect(cell).toBeInViewport();
    const box = (await cell.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(375);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await expect(page.getByTestId('peers-table').locator('thead')).toBeHidden();
});

test('deleting a network asks first and names what will be lost', async ({ page, request }) => {
  const owner = createUser(uniqueEmail('owner'));
  const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
  const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e delete' } })).json();
  const network = await (await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'doomed', cidr: '192.168.77.0/24' } })).json();
  await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'addon', label: 'db', instances: 2 } });
  await signIn(page, owner);
  await page.goto(`/projects/${project.id}/networks/${network.id}`);
  await page.getByRole('button', { name: 'Delete network' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete doomed?' });
  await expect(dialog).toContainText('1 member and 2 hosts are deleted');
  await expect(dialog.getByRole('button', { name: 'Delete forever' })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Delete network' }).click();
  await dialog.getByLabel('Type doomed to confirm').fill('doomed');
  await dialog.getByRole('button', { name: 'Delete forever' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.id}$`));
  expect((await request.get(`/api/v1/networks/${network.id}`, { headers: auth })).status()).toBe(404);
});
