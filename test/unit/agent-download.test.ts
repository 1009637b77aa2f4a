import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { installCommand, publicUrlPlaceholder, renderInstallScript, sha256Line } from '@/lib/server/agent-download';

const template = readFileSync(path.resolve(__dirname, '../../agent/install.sh'), 'utf8');
const sh = (script: string, args: string[]) => spawnSync('sh', ['-s', '--', ...args], { input: script, encoding: 'utf8', env: { PATH: process.env.PATH } as unknown as NodeJS.ProcessEnv });

describe('agent/install.sh as served', () => {
  it('is POSIX sh (dash parses it)', () => {
    execFileSync('dash', ['-n', path.resolve(__dirname, '../../agent/install.sh')]);
  });
  it('carries the public URL as its default server, and nothing else than an origin', () => {
    expect(template).toContain(publicUrlPlaceholder);
    const served = renderInstallScript(template, 'https://mesh.example.com');
    expect(served).toContain('SERVER="${MESHPLANE_SERVER:-https://mesh.example.com}"');
    expect(served).not.toContain(publicUrlPlaceholder);
    expect(() => renderInstallScript(template, "https://x.example.com/'; rm -rf /")).toThrow(/not an origin/);
    expect(installCommand('https://mesh.example.com', 'K')).toBe('curl -fsSL https://mesh.example.com/agent/install.sh | sudo sh -s -- --key K');
    expect(sha256Line('ab'.repeat(32))).toBe(`${'ab'.repeat(32)}  meshplane-agent.mjs\n`);
  });
  it('without MESHPLANE_PUBLIC_URL (or run from the checkout) asks for --server', () => {
    for (const script of [renderInstallScript(template, null), template]) {
      const r = sh(script, ['--key', 'K']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('this Meshplane has no MESHPLANE_PUBLIC_URL set; pass --server https://YOUR-MESHPLANE');
    }
  });
  it('says what is wrong with its arguments (exit 2)', () => {
    const served = renderInstallScript(template, 'https://mesh.example.com');
    expect(sh(served, []).stderr).toContain('no join key: pass --key K');
    expect(sh(served, ['--bogus']).status).toBe(2);
    expect(sh(served, ['--token', 'T']).stderr).toContain('--token needs --endpoint HOST:PORT');
    expect(sh(served, ['--token', 'T', '--key', 'K', '--endpoint', 'h:1']).stderr).toContain('give --key or --token, not both');
    expect(sh(served, ['--help']).stderr).toContain('--no-systemd');
    expect(sh(served, ['--server', 'mesh.example.com', '--key', 'K']).stderr).toContain('--server must be an http:// or https:// URL');
  });
});

describe('install.sh with systemd (a stand-in systemctl and agent)', () => {
  it('writes meshplane-agent.service (Restart=always, after network-online) running the agent, then enables and starts it', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'meshplane-install-unit-'));
    // A stand-in agent: records its arguments, joins successfully.
    const agent = Buffer.from(`import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(path.join(work, 'agent-args'))}, JSON.stringify(process.argv.slice(2)));\n`);
    const server = createServer((req, res) => {
      if (req.url === '/agent/meshplane-agent.mjs') return res.end(agent);
      if (req.url === '/agent/meshplane-agent.mjs.sha256') return res.end(sha256Line(createHash('sha256').update(agent).digest('hex')));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const bin = path.join(work, 'fake-bin');
      mkdirSync(bin);
      writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> ${path.join(work, 'systemctl-calls')}\n`);
      chmodSync(path.join(bin, 'systemctl'), 0o755);
      mkdirSync(path.join(work, 'run-systemd'));
      const env = ({
        PATH: `${bin}:${process.env.PATH}`, MESHPLANE_SYSTEMD_PROBE: path.join(work, 'run-systemd'),
        MESHPLANE_INSTALL_DIR: path.join(work, 'lib'), MESHPLANE_BIN_DIR: path.join(work, 'bin'), MESHPLANE_UNIT_DIR: path.join(work, 'units'),
      }) as unknown as NodeJS.ProcessEnv;
      const script = path.join(work, 'install.sh');
      writeFileSync(script, renderInstallScript(template, base));
      const { stderr } = await promisify(execFile)('sh', [script, '--key', 'K1', '--process', 'web', '--endpoint', 'h.example:51820'], { env });
      expect(stderr).toContain('joined and running');
      expect(JSON.parse(readFileSync(path.join(work, 'agent-args'), 'utf8'))).toEqual(['join', '--server', base, '--key', 'K1', '--process', 'web', '--endpoint', 'h.example:51820']);
      const unit = readFileSync(path.join(work, 'units', 'meshplane-agent.service'), 'utf8');
      expect(unit).toMatch(/^Wants=network-online\.target$/m);
      expect(unit).toMatch(/^After=network-online\.target$/m);
      expect(unit).toMatch(/^Restart=always$/m);
      expect(unit).toMatch(new RegExp(`^ExecStart=/\\S*node ${path.join(work, 'lib', 'meshplane-agent.mjs').replace(/[.]/g, '\\.')} run$`, 'm'));
      expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
      expect(readFileSync(path.join(work, 'systemctl-calls'), 'utf8')).toBe('daemon-reload\nenable --now meshplane-agent.service\n');
    } finally {
      server.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
