import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pgliteDirOf, type Handle } from './client';
import { DataDirInUseError, lockDataDir, type DataDirLock } from './data-dir-lock';

/*
 * Backups of the embedded database: PGlite's own dump of its data directory (a gzipped
 * tarball), taken by the process that has it open, so a running server's is consistent. A
 * restore unpacks one into a fresh directory beside the data, checks that it opens, and only
 * then puts it in place. On PostgreSQL, pg_dump and pg_restore do this (README, Backups).
 */

export class BackupError extends Error {}

/** The files beside the database that a backup needs to be of use (README, Backups). */
export function secretsBeside(dataDir: string): string[] {
  return ['secrets.env', 'encryption-key', 'auth-secret'].map((f) => path.join(dataDir, f)).filter((f) => existsSync(f));
}

/** Writes the handle's database to `file` (mode 600, whole or not at all); its size in bytes. */
export async function writeBackup(handle: Handle, file: string): Promise<number> {
  if (!handle.dump) throw new BackupError('With DATABASE_URL (PostgreSQL), back up with pg_dump: see the README, Backups.');
  const bytes = await handle.dump();
  const temp = `${file}.partial-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(temp, bytes, { mode: 0o600 });
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new BackupError(`cannot write ${file}: ${(e as Error).message}`);
  }
  return bytes.length;
}

const isGzip = (bytes: Buffer) => bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * Restores `bytes` (a backup) as `dataDir`'s embedded database. Refuses while any process has
 * it open (the data dir's lock), and when it holds a database already unless `force`.
 */
export async function restoreBackup(dataDir: string, bytes: Buffer, options: { force?: boolean } = {}): Promise<{ users: number }> {
  if (!isGzip(bytes)) throw new BackupError('this file is not a Meshplane backup (a gzipped tarball made by `npm run cli -- backup`)');
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  let lock: DataDirLock;
  try {
    lock = lockDataDir(dir, 'cli');
  } catch (e) {
    if (!(e instanceof DataDirInUseError)) throw e;
    throw new DataDirInUseError(e.dataDir, e.holder, e.lockFile, 'A restore replaces the database: stop that process first.');
  }
  const target = pgliteDirOf(dir);
  const staging = `${target}.restoring-${randomBytes(4).toString('hex')}`;
  try {
    if (existsSync(target) && readdirSync(target).length > 0 && !options.force) {
      throw new BackupError(`${target} already holds a database: restore into an empty data dir (MESHPLANE_DATA_DIR), or add --force to replace it (its data is then lost)`);
    }
    const { PGlite } = await import('@electric-sql/pglite');
    let users: number;
    const restored = new PGlite(staging, { loadDataDir: new Blob([new Uint8Array(bytes)]) });
    try {
      const result = await restored.query<{ n: number }>('select count(*)::int as n from users');
      users = result.rows[0].n;
    } catch (e) {
      throw new BackupError(`the backup does not open as a Meshplane database: ${(e as Error).message}`);
    } finally {
      await restored.close().catch(() => {});
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    return { users };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    lock.release();
  }
}
