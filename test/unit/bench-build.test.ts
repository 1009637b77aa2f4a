import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { buildNeeded, serverBuildNeeded } from '@/bench/build';

let root: string | undefined;
afterEach(() => { if (root) rmSync(root, { recursive: true, force: true }); });

function file(rel: string, secondsAgo: number) {
  const full = path.join(root!, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, 'x');
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(full, t, t);
}

it('npm run bench builds when its build is missing or older than a source, and not otherwise', () => {
  root = mkdtempSync(path.join(tmpdir(), 'meshplane-bench-build-'));
  file('lib/a.ts', 100);
  file('node_modules/x/index.js', 1); // never a source
  expect(buildNeeded(root, '.next-bench')).toMatch(/no build in \.next-bench/);
  file('.next-bench/BUILD_ID', 50);
  file('.next-bench/server/chunk.js', 1); // the build's own files are not sources
  expect(buildNeeded(root, '.next-bench')).toBeNull();
  file('app/page.tsx', 10);
  expect(buildNeeded(root, '.next-bench')).toBe('app/page.tsx changed after the build in .next-bench/');
});

it('npm run bench rebuilds the server bundle production starts when it is missing or older than a source; its own files and tests are not sources', () => {
  root = mkdtempSync(path.join(tmpdir(), 'meshplane-bench-build-'));
  file('lib/a.ts', 100);
  expect(serverBuildNeeded(root)).toBe('there is no dist/server/server.mjs');
  file('dist/server/server.mjs', 50);
  file('bench/limits-rows.ts', 1);
  file('test/unit/x.test.ts', 1);
  expect(serverBuildNeeded(root)).toBeNull();
  file('server.ts', 10);
  expect(serverBuildNeeded(root)).toBe('server.ts changed after dist/server/server.mjs was built');
});
