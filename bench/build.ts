/*
 * `npm run bench` builds the app it measures, as production runs it: the compiled server
 * (dist/server/server.mjs, scripts/build-server.mjs) and the Next build in its own
 * NEXT_DIST_DIR (default .next-bench), each when missing or older than any source file (the
 * same test as setup.sh's). `next build` rewrites tsconfig.json for its build directory; the
 * file is put back after.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Not sources of the app: dependencies, builds, data, the benchmark and the tests. */
const skipped = new Set(['node_modules', '.git', '.data', 'dist', 'test-results', 'playwright-report', 'bench', 'test', 'e2e',
  'next-env.d.ts', 'tsconfig.tsbuildinfo']); // written by every next build, by tsc

/** The first file under `root` changed after `since` (ms), or null. */
export function newerSource(root: string, since: number, skip: Set<string>): string | null {
  for (const name of readdirSync(root)) {
    if (skipped.has(name) || skip.has(name) || name.startsWith('.next')) continue;
    const full = path.join(root, name);
    const st = statSync(full);
    if (st.isDirectory()) {
      const found = newerSource(full, since, new Set());
      if (found) return found;
    } else if (st.mtimeMs > since) return full;
  }
  return null;
}

/** Why `distDir` must be (re)built, or null when its build is newer than every source. */
export function buildNeeded(root: string, distDir: string): string | null {
  const buildId = path.join(root, distDir, 'BUILD_ID');
  if (!existsSync(buildId)) return `there is no build in ${distDir}/`;
  const changed = newerSource(root, statSync(buildId).mtimeMs, new Set([distDir]));
  return changed ? `${path.relative(root, changed)} changed after the build in ${distDir}/` : null;
}

/** What production starts (`npm start`): the server bundle, run with plain node. */
export const serverBundle = 'dist/server/server.mjs';

/** Why the server bundle must be (re)built, or null when it is newer than every source. */
export function serverBuildNeeded(root: string): string | null {
  const bundle = path.join(root, serverBundle);
  if (!existsSync(bundle)) return `there is no ${serverBundle}`;
  const changed = newerSource(root, statSync(bundle).mtimeMs, new Set());
  return changed ? `${path.relative(root, changed)} changed after ${serverBundle} was built` : null;
}

export function ensureBuilt(root: string, distDir: string, log: (line: string) => void) {
  const serverReason = serverBuildNeeded(root);
  if (serverReason) {
    log(`building the server: ${serverReason} (node scripts/build-server.mjs)`);
    const result = spawnSync(process.execPath, ['scripts/build-server.mjs'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`scripts/build-server.mjs failed (exit ${result.status ?? result.signal}); its output is above`);
  }
  const reason = buildNeeded(root, distDir);
  if (!reason) return;
  log(`building the app: ${reason} (NEXT_DIST_DIR=${distDir} next build)`);
  const tsconfig = path.join(root, 'tsconfig.json');
  const saved = readFileSync(tsconfig, 'utf8');
  const { atime, mtime } = statSync(tsconfig);
  try {
    const result = spawnSync(path.join(root, 'node_modules/.bin/next'), ['build'], {
      cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (result.status !== 0) throw new Error(`next build failed (exit ${result.status ?? result.signal}); its output is above`);
  } finally {
    // Put back with its own time too, or it would be newer than the build it came from.
    if (readFileSync(tsconfig, 'utf8') !== saved) writeFileSync(tsconfig, saved);
    utimesSync(tsconfig, atime, mtime);
  }
}
