import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/*
 * PGlite does nothing to stop a second process opening its data directory, and two processes
 * writing one WAL destroy the database (README). So every process that opens it first takes
 * `<data dir>/pglite.lock`: created whole and atomically (a hard link of a complete file), it
 * names its holder so that a refusal can say who. A lock whose process is gone (crashed,
 * killed, the machine rebooted, or its pid now someone else's) is taken over.
 */

export const lockHolderSchema = z.object({
  pid: z.number().int().positive(),
  kind: z.enum(['server', 'cli']),
  command: z.string(),
  host: z.string(),
  startedAt: z.string(),
  /** Linux: the kernel's boot id and the process's start time, so a reused pid is not mistaken for the holder. */
  bootId: z.string().optional(),
  startTicks: z.string().optional(),
  /** The server's local CLI socket, once it listens (lib/server/cli/local-socket.ts). */
  socket: z.string().optional(),
  nonce: z.string(),
});
export type LockHolder = z.infer<typeof lockHolderSchema>;

export class DataDirInUseError extends Error {
  /** `hint`: what to do instead; by default, for a process that wants the database too. */
  constructor(readonly dataDir: string, readonly holder: LockHolder, readonly lockFile: string, hint?: string) {
    const what = holder.kind === 'server' ? 'the Meshplane server' : 'a Meshplane CLI command';
    const where = holder.host === hostname() ? '' : ` on host ${holder.host}`;
    hint ??= holder.kind === 'server'
      ? 'Stop that process first, or run `npm run cli` commands while it runs: they go through it.'
      : 'Wait for it to finish, or stop it.';
    super(
      `The embedded database in ${dataDir} is in use by process ${holder.pid}${where} (${what}: ${holder.command}, since ${holder.startedAt}); ` +
      `PGlite allows one process at a time. ${hint} Nothing was changed. (Lock: ${lockFile})`,
    );
  }
}

function readOr(file: string): string | undefined {
  try { return readFileSync(file, 'utf8').trim(); } catch { return undefined; }
}

/** Linux only; elsewhere undefined and the pid alone decides. */
function bootId(): string | undefined {
  return readOr('/proc/sys/kernel/random/boot_id');
}
function startTicks(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  // Field 22 (starttime), counted after the command name, which may hold spaces: after the last ')'.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

// Locks this process holds, by lock file: our own pid in a lock file we do not hold is a previous life's.
const held = ((globalThis as unknown as { meshplaneDataDirLocks?: Map<string, LockHolder> }).meshplaneDataDirLocks ??= new Map());

/** Whether the holder written in a lock file still runs. Another host's cannot be checked: assumed alive. */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  const boot = bootId();
  if (holder.bootId && boot && holder.bootId !== boot) return false;
  if (holder.pid === process.pid) return [...held.values()].some((h) => h.nonce === holder.nonce);
  if (!pidAlive(holder.pid)) return false;
  const ticks = startTicks(holder.pid);
  return !(holder.startTicks && ticks && holder.startTicks !== ticks);
}

export function lockFileOf(dataDir: string) {
  return path.join(dataDir, 'pglite.lock');
}

/** The lock file's holder, or undefined when there is none (or it cannot be read as one). */
export function readHolder(lockFile: string): LockHolder | undefined {
  const text = readOr(lockFile);
  if (text === undefined) return undefined;
  try { return lockHolderSchema.parse(JSON.parse(text)); } catch { return undefined; }
}

function writeAtomically(file: string, holder: LockHolder, replace: boolean) {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, JSON.stringify(holder) + '\n', { mode: 0o644 });
  try {
    if (replace) renameSync(temp, file);
    else linkSync(temp, file); // fails with EEXIST: the atomic "create if absent"
  } finally {
    if (!replace) try { unlinkSync(temp); } catch { /* already gone */ }
  }
}

/** Removes a dead holder's lock, unless someone replaced it meanwhile (then it is put back). */
function takeOver(lockFile: string, stale: string) {
  const grave = `${lockFile}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try { renameSync(lockFile, grave); } catch { return; }
  if (readOr(grave) !== stale) try { linkSync(grave, lockFile); } catch { /* a third one holds it now */ }
  unlinkSync(grave);
}

/** The script and its leading words (`scripts/cli.ts user create`): never an option's value, which may be a password. */
export function commandLine(args: string[]): string {
  const [script = '', ...rest] = args;
  const end = rest.findIndex((a) => a.startsWith('-'));
  const words = end === -1 ? rest : rest.slice(0, end);
  return [path.isAbsolute(script) ? path.relative(process.cwd(), script) || script : script, ...words].join(' ').slice(0, 200);
}

export type DataDirLock = { holder: LockHolder; lockFile: string; update: (change: Partial<LockHolder>) => void; release: () => void };

/**
 * Takes `dataDir`'s lock for this process, or throws DataDirInUseError naming the process that
 * holds it. Released by `release()`, and at exit (a crash leaves it behind: see holderAlive).
 */
export function lockDataDir(dataDir: string, kind: LockHolder['kind']): DataDirLock {
  const lockFile = lockFileOf(dataDir);
  if (held.has(lockFile)) throw new Error(`this process already holds ${lockFile}`);
  const holder: LockHolder = {
    pid: process.pid,
    kind,
    command: commandLine(process.argv.slice(1)),
    host: hostname(),
    startedAt: new Date().toISOString(),
    bootId: bootId(),
    startTicks: startTicks(process.pid),
    nonce: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      writeAtomically(lockFile, holder, false);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw e;
    }
    const text = readOr(lockFile);
    if (text === undefined) continue; // released meanwhile
    const current = readHolder(lockFile);
    // A half-written or foreign file cannot be ours (ours are written whole): treat as stale.
    if (current && holderAlive(current)) throw new DataDirInUseError(dataDir, current, lockFile);
    takeOver(lockFile, text);
  }
  held.set(lockFile, holder);
  const release = () => {
    if (!held.has(lockFile)) return;
    held.delete(lockFile);
    process.off('exit', release);
    if (readHolder(lockFile)?.nonce === holder.nonce) try { unlinkSync(lockFile); } catch { /* gone */ }
  };
  process.on('exit', release);
  return {
    holder,
    lockFile,
    update: (change) => {
      Object.assign(holder, change);
      if (held.has(lockFile)) writeAtomically(lockFile, holder, true);
    },
    release,
  };
}
