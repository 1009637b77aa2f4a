/**
 * Screenshots of dashboard pages at desktop and phone width, for looking at what we build:
 *   npx tsx scripts/screenshots.ts --base http://localhost:3000 --email E --password P --out DIR /projects /settings …
 */
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { base: { type: 'string', default: 'http://localhost:3000' }, email: { type: 'string' }, password: { type: 'string' }, out: { type: 'string', default: '/tmp/screens' }, full: { type: 'boolean', default: true } },
});

async function main() {
  mkdirSync(values.out!, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-gpu'] });
  for (const [name, width] of [['desktop', 1280], ['phone', 375]] as const) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, baseURL: values.base });
    const page = await context.newPage();
    if (values.email) {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(values.email);
      await page.getByLabel('Password').fill(values.password ?? '');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    }
    for (const route of positionals) {
      await page.goto(route);
      await page.waitForLoadState('load');
      await page.waitForTimeout(800);
      const file = path.join(values.out!, `${route.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'root'}-${name}.png`);
      await page.screenshot({ path: file, fullPage: values.full });
      console.log(file);
    }
    await context.close();
  }
  await browser.close();
}

main().catch((e) => { console.error(e); process.exit(1); });
