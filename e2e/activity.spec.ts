import { createToken, createUser, expect, signIn, test, uniqueEmail } from './fixtures';

test('the activity log reads as sentences with links, and filters by person and by resource', async ({ page, request }) => {
  const owner = createUser(uniqueEmail('owner'));
  const auth = { Authorization: `Bearer ${createToken(owner.email)}` };
  const project = await (await request.post('/api/v1/projects', { headers: auth, data: { name: 'e2e activity' } })).json();
  const network = await (await request.post(`/api/v1/projects/${project.id}/networks`, { headers: auth, data: { label: 'backend', cidr: '192.168.81.0/24' } })).json();
  const member = await (await request.post(`/api/v1/networks/${network.id}/members`, { headers: auth, data: { kind: 'application', label: 'api', processes: { web: 2 } } })).json();
  await signIn(page, owner);
  await page.goto(`/projects/${project.id}/activity`);
  const log = page.getByTestId('activity');
  await expect(log.getByRole('listitem').first()).toContainText(`${owner.email} added application api (web ×2) to backend`);
  await expect(log).not.toContainText('member.create');

  await page.getByLabel('Resource').selectOption('network');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=network/);
  await expect(log.getByRole('listitem')).toHaveCount(1);
  await expect(log).toContainText('created network backend 192.168.81.0/24');
  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(log.getByRole('listitem')).toHaveCount(3);

  await log.getByRole('listitem').first().getByRole('link', { name: owner.email }).click();
  await expect(page).toHaveURL(/actor=us-/);
  await expect(page.getByLabel('Person')).toHaveValue(/^us-/);
  await log.getByRole('listitem').first().getByRole('link', { name: 'api' }).click();
  await expect(page).toHaveURL(new RegExp(`/members/${member.id}$`));
});
