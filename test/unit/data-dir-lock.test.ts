import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandLine, DataDirInUseError, lockDataDir, lockFileOf, type LockHolder } from '@/lib/server/db/data-dir-lock';

const dirs: string[] = [];
function dataDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshplane-lock-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const startTicks = (pid: number) => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]; };
const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

function holder(pid: number, extra: Partial<LockHolder> = {}): LockHolder {
  return { pid, kind: 'server', command: 'server.ts', host: hostname(), startedAt: '2026-12-02T00:00:00.000Z', bootId: bootId(), startTicks: startTicks(pid), nonce: 'n0', ...extra };
}

/** Another live process, to stand for a server holding the lock. */
async function otherProcess() {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  return child;
}

describe('the data dir lock', () => {
  it('is taken, names its holder, and is released', () => {
    const dir = dataDir();
    const lock = lockDataDir(dir, 'cli');
    const written = JSON.parse(readFileSync(lockFileOf(dir), 'utf8'));
    expect(written).toMatchObject({ pid: process.pid, kind: 'cli', host: hostname() });
    lock.update({ socket: '/x/cli.sock' });
    expect(JSON.parse(readFileSync(lockFileOf(dir), 'utf8')).socket).toBe('/x/cli.sock');
    expect(() => lockDataDir(dir, 'cli')).toThrow(/already holds/);
    lock.release();
    expect(existsSync(lockFileOf(dir))).toBe(false);
  });

  it('refuses while another live process holds it, naming the data dir and the process, and leaves its lock alone', async () => {
    const dir = dataDir();
    const child = await otherProcess();
    try {
      const theirs = JSON.stringify(holder(child.pid!));
      writeFileSync(lockFileOf(dir), theirs);
      let error: unknown;
      try { lockDataDir(dir, 'server'); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(DataDirInUseError);
      const message = (error as Error).message;
      expect(message).toContain(dir);
      expect(message).toContain(`process ${child.pid}`);
      expect(message).toContain('the Meshplane server');
      expect(readFileSync(lockFileOf(dir), 'utf8')).toBe(theirs);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process died', async () => {
    const dir = dataDir();
    const child = await otherProcess();
    writeFileSync(lockFileOf(dir), JSON.stringify(holder(child.pid!)));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const lock = lockDataDir(dir, 'server');
    expect(JSON.parse(readFileSync(lockFileOf(dir), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another process, or to an earlier boot', async () => {
    const child = await otherProcess();
    try {
      for (const stale of [holder(child.pid!, { startTicks: '1' }), holder(child.pid!, { bootId: 'an-earlier-boot' })]) {
        const dir = dataDir();
        writeFileSync(lockFileOf(dir), JSON.stringify(stale));
        lockDataDir(dir, 'server').release();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("takes over this very pid's lock from a previous life (a container's pid 1 restarting)", () => {
    const dir = dataDir();
    writeFileSync(lockFileOf(dir), JSON.stringify(holder(process.pid, { nonce: 'a-previous-life' })));
    lockDataDir(dir, 'server').release();
  });

  it('takes over a lock file that is not one of ours (unreadable)', () => {
    const dir = dataDir();
    writeFileSync(lockFileOf(dir), 'garbage');
    lockDataDir(dir, 'cli').release();
  });

  it('names the command without its options, which may hold a password', () => {
    expect(commandLine([path.join(process.cwd(), 'scripts/cli.ts'), 'user', 'create', '--email', 'e@x.y', '--password', 'hunter22'])).toBe('scripts/cli.ts user create');
    expect(commandLine(['server.ts', '--dev'])).toBe('server.ts');
  });

  it("never takes another host's lock (a shared disk): its pid cannot be checked", () => {
    const dir = dataDir();
    writeFileSync(lockFileOf(dir), JSON.stringify(holder(process.pid, { host: 'elsewhere', pid: 999_999 })));
    expect(() => lockDataDir(dir, 'cli')).toThrow(/on host elsewhere/);
  });
});
