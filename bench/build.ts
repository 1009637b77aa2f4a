/*
 * `npm run bench` builds the app it measures: in its own NEXT_DIST_DIR (default .next-bench),
 * when that build is missing or older than any source file (the same test as setup.sh's).
 * `next build` rewrites tsconfig.json for its build directory; the file is put back after.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Not sources: dependencies, builds, data, test output. */
const skipped = new Set(['node_modules', '.git', '.data', 'dist', 'test-results', 'playwright-report']);

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
  // The benchmark's own files are not part of the app: editing them needs no new build.
  const changed = newerSource(root, statSync(buildId).mtimeMs, new Set([distDir, 'bench']));
  return changed ? `${path.relative(root, changed)} changed after the build in ${distDir}/` : null;
}

export function ensureBuilt(root: string, distDir: string, log: (line: string) => void) {
  const reason = buildNeeded(root, distDir);
  if (!reason) return;
  log(`building the app: ${reason} (NEXT_DIST_DIR=${distDir} next build)`);
  const tsconfig = path.join(root, 'tsconfig.json');
  const saved = readFileSync(tsconfig, 'utf8');
  try {
    const result = spawnSync(path.join(root, 'node_modules/.bin/next'), ['build'], {
      cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (result.status !== 0) throw new Error(`next build failed (exit ${result.status ?? result.signal}); its output is above`);
  } finally {
    if (readFileSync(tsconfig, 'utf8') !== saved) writeFileSync(tsconfig, saved);
  }
}
