/**
 * End-to-end tests in Debian's Chromium against the BUILT app (`next build` runs first, in
 * scripts/test.sh). Each run gets its own PostgreSQL database, `meshplane_e2e_<random>`:
 * e2e/serve.sh (the webServer command) creates it and then becomes `node dist/server/server.mjs`, which
 * migrates it; e2e/global-teardown.ts drops it. Creation lives in serve.sh, not in a
 * globalSetup, because Playwright starts the webServer before globalSetup runs.
 *
 * The values are put in process.env on the first evaluation (the runner's); workers inherit
 * them, so everyone agrees on one database. e2e/fixtures.ts reads the E2E_* variables.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { defaultAdminUrl } from './test/scratch-database';

const port = Number(process.env.E2E_PORT ?? 3107);
const baseURL = `http://127.0.0.1:${port}`;
const adminUrl = process.env.DATABASE_URL || defaultAdminUrl;

process.env.E2E_DATABASE_NAME ??= `meshplane_e2e_${randomBytes(6).toString('hex')}`;
const databaseUrl = new URL(adminUrl);
databaseUrl.pathname = `/${process.env.E2E_DATABASE_NAME}`;
process.env.E2E_ADMIN_URL = adminUrl;
process.env.E2E_DATABASE_URL = databaseUrl.toString();
process.env.E2E_DATA_DIR ??= path.join(tmpdir(), process.env.E2E_DATABASE_NAME);
process.env.E2E_AUTH_SECRET ??= 'e2e-auth-secret-0123456789abcdef0123456789';
process.env.E2E_WORKER_SECRET ??= 'e2e-worker-secret-0123456789';
process.env.E2E_BASE_URL = baseURL;

export default defineConfig({
  testDir: 'e2e',
  globalTeardown: './e2e/global-teardown.ts',
  fullyParallel: false,
  workers: process.env.CI ? 1 : 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The longest walkthroughs took 20–27 s on a slow two-core machine beside the other worker,
  // one 34 s: a test's budget, not a speed check (those are in `npm run bench`).
  timeout: 60_000,
  expect: { timeout: 5_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: '/usr/bin/chromium', args: ['--disable-gpu'] },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    command: 'bash e2e/serve.sh',
    url: `${baseURL}/sign-in`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    env: {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: process.env.E2E_DATABASE_URL,
      MESHPLANE_DATA_DIR: process.env.E2E_DATA_DIR,
      AUTH_SECRET: process.env.E2E_AUTH_SECRET,
      WORKER_SECRET: process.env.E2E_WORKER_SECRET,
      MESHPLANE_AGENT_URL_ALLOW: '127.0.0.1/32', // stub agents listen on loopback
      // The address the install and enrol commands show; E2E_PUBLIC_URL='' runs the specs with it unset.
      MESHPLANE_PUBLIC_URL: process.env.E2E_PUBLIC_URL ?? baseURL,
      // The specs sign up through the form more than once (the default, first, allows one account).
      MESHPLANE_SIGNUP: 'open',
      E2E_ADMIN_URL: adminUrl,
      E2E_DATABASE_NAME: process.env.E2E_DATABASE_NAME,
    },
  },
});
