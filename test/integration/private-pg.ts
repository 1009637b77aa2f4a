import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * A PostgreSQL cluster of the test's own, which it can stop and start (the shared test server
 * must never be restarted): initdb and pg_ctl from /usr/lib/postgresql/<newest>/bin, as the
 * postgres user when we are root (they refuse root), as scripts/test.sh starts its throwaway
 * cluster. `remove()` stops it and deletes its directory; safe to call twice.
 */

export type PrivateCluster = {
  url: string;
  dir: string;
  start: () => void;
  /** `mode`: pg_ctl's shutdown mode; `fast` disconnects every client at once. */
  stop: (mode?: 'fast' | 'immediate') => void;
  remove: () => void;
};

function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin/initdb'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${root}: apt-get install -y postgresql`);
  return path.join(root, newest, 'bin');
}

/*
 * Not 127.0.0.1: a port in the ephemeral range (55432) is often the local end of some other
 * process's connection on 127.0.0.1 (or its TIME-WAIT), which makes PostgreSQL's bind fail.
 * Nothing connects from another loopback address.
 */
export function startPrivateCluster(port: number, prefix = 'faults', address = '127.0.20.1'): PrivateCluster {
  const bin = pgBin();
  const root = process.getuid?.() === 0;
  if (root) {
    try {
      execFileSync('id', ['postgres'], { stdio: 'ignore' });
    } catch {
      throw new Error('no postgres user to run initdb as (initdb refuses root): apt-get install -y postgresql, or useradd --system postgres');
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-pg-`));
  if (root) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'log');
  const asPg = (cmd: string, args: string[]) => {
    const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    try {
      execFileSync(file, argv, { cwd: dir, stdio: 'pipe', timeout: 60_000 });
    } catch (e) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`${cmd} ${args.join(' ')} failed: ${(e as { stderr?: Buffer }).stderr?.toString() ?? String(e)}\n${tail}`);
    }
  };
  let running = false;
  let removed = false;
  const cluster: PrivateCluster = {
    url: `postgres://postgres@${address}:${port}/postgres`,
    dir,
    start: () => {
      asPg('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=${address} -c fsync=off`, 'start']);
      running = true;
    },
    stop: (mode = 'fast') => {
      asPg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    remove: () => {
      if (removed) return;
      removed = true;
      try {
        if (running) cluster.stop('immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  try {
    asPg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    cluster.start();
  } catch (e) {
    cluster.remove();
    throw e;
  }
  return cluster;
}
