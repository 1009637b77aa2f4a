import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processCounts, idArgument } from '@/cli/args';
import { configPath, normalizeServer, readStored, resolveTarget, writeStored } from '@/cli/config';
import { UsageError } from '@/cli/errors';
import { table, timeLeft } from '@/cli/format';
import { main } from '@/cli/main';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

async function cli(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; }, env: { HOME: dir ?? '/nonexistent', ...env } });
  return { code, out, err };
}

describe('meshplane arguments', () => {
  it('reads NAME=COUNT pairs and refuses anything else with a usage error', () => {
    expect(processCounts(['web=3', 'worker=0'])).toEqual({ web: 3, worker: 0 });
    expect(processCounts(['instances=2'])).toEqual({ instances: 2 });
    for (const bad of [['web=x'], ['web'], ['=2'], ['web=-1'], ['web=1.5'], ['web=1', 'web=2'], []]) {
      expect(() => processCounts(bad), bad.join(' ')).toThrow(UsageError);
    }
    expect(() => processCounts(['web=x'])).toThrow('"web=x" is not NAME=COUNT');
  });

  it('catches a label given where an id goes', () => {
    expect(idArgument('ap-3hd8s0a2m1c9', ['ap', 'ad'], 'member')).toBe('ap-3hd8s0a2m1c9');
    expect(() => idArgument('api', ['ap'], 'member')).toThrow('"api" is not a member id');
    expect(() => idArgument(undefined, ['pn'], 'network')).toThrow(UsageError);
  });
});

describe('meshplane config', () => {
  it('keeps server and token in a file only its user can read; the environment wins', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshplane-cli-'));
    const file = configPath({ HOME: dir });
    expect(file).toBe(path.join(dir, '.config/meshplane/config.json'));
    writeStored(file, { server: 'https://a.example', token: 'mp_a' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveTarget(readStored(file), {})).toEqual({ server: 'https://a.example', token: 'mp_a' });
    expect(resolveTarget(readStored(file), { MESHPLANE_SERVER: 'http://b.example:3000/x', MESHPLANE_TOKEN: 'mp_b' })).toEqual({ server: 'http://b.example:3000', token: 'mp_b' });
    expect(() => resolveTarget({}, {})).toThrow(/No server and token configured: run `meshplane login/);
    expect(() => resolveTarget({ server: 'https://a.example' }, {})).toThrow(/No token configured/);
    writeFileSync(file, 'not json');
    expect(() => readStored(file)).toThrow(UsageError);
    expect(normalizeServer('mesh.example.com')).toBe('https://mesh.example.com');
    expect(() => normalizeServer('ftp://x')).toThrow(UsageError);
  });
});

describe('meshplane output', () => {
  it('aligns columns and says when a list is empty', () => {
    expect(table([{ a: 'x', b: null }, { a: 'longer', b: ['1', '2'] }], [['A', (r) => r.a], ['B', (r) => r.b]]))
      .toBe('A       B\nx       -\nlonger  1, 2\n');
    expect(table([], [['A', () => 1]], 'No projects.')).toBe('No projects.\n');
    expect(timeLeft(new Date(Date.UTC(2026, 0, 2, 0, 0)).toISOString(), Date.UTC(2026, 0, 1, 0, 30))).toBe('in 23h 30m');
  });
});

describe('meshplane usage errors: exit 2 and one line, before any request', () => {
  it('refuses unknown commands, options and arguments', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshplane-cli-'));
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /"frobnicate" is not a command/],
      [['network', 'delete'], /try meshplane network create/],
      [['members', '--bogus'], /Unknown option '--bogus'\. Usage: meshplane members/],
      [['members'], /--network is required/],
      [['scale', 'ap-3hd8s0a2m1c9', 'web=x'], /"web=x" is not NAME=COUNT/],
      [['domain-names', 'ap-3hd8s0a2m1c9', 'extra'], /Too many arguments/],
      [['projects'], /No server and token configured/],
      [['login', '--server', 'http://127.0.0.1:3249'], /--token is required/],
      [['join-key', 'create'], /Give the member id/],
      [['join-key', 'create', 'pn-3hd8s0a2m1c9'], /is not a member id/],
      [['join-key', 'create', 'ap-3hd8s0a2m1c9', '--max-uses', 'x'], /--max-uses: "x" is not a whole number/],
      [['join-key', 'create', 'ap-3hd8s0a2m1c9', '--expires-in-hours', '1.5'], /--expires-in-hours: "1\.5" is not a whole number/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
      expect(r.err.trim().split('\n'), argv.join(' ')).toHaveLength(1);
      expect(r.out).toBe('');
    }
  });

  it('refuses to overwrite a config file before the device exists', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshplane-cli-'));
    mkdirSync(path.join(dir, 'x'));
    const existing = path.join(dir, 'x', 'mp-laptop.conf');
    writeFileSync(existing, 'keep me');
    const r = await cli(['device', 'add', '--name', 'laptop', '--out', existing], { MESHPLANE_SERVER: 'http://127.0.0.1:3249', MESHPLANE_TOKEN: 'mp_x' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already exists/);
  });

  it('an unreachable server is a refusal (exit 1) in one line', async () => {
    const r = await cli(['projects'], { MESHPLANE_SERVER: 'http://127.0.0.1:3249', MESHPLANE_TOKEN: 'mp_x' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^meshplane: Cannot reach http:\/\/127\.0\.0\.1:3249: ECONNREFUSED\.\n$/);
  });

  it('prints help for every command, and the list of commands', async () => {
    const overview = await cli(['--help']);
    expect(overview.code).toBe(0);
    const names = ['login', 'projects', 'networks', 'network create', 'members', 'member add', 'scale', 'peers', 'domain-names', 'lease', 'leases', 'join-key create', 'device add', 'push'];
    for (const name of names) {
      expect(overview.out).toContain(`  ${name} `);
      const r = await cli([...name.split(' '), '--help']);
      expect(r.code, name).toBe(0);
      expect(r.out, name).toContain(`Usage: meshplane ${name}`);
    }
    expect((await cli([])).code).toBe(2);
  });
});
