import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeIdentity, writePrivateKey } from '../agent/state';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { envelopeFor } from '../lib/core/protocol/testing';
import { randomState, seededRng } from '../lib/core/protocol/testing';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { buildAgent } from '../scripts/build-agent';

/*
 * Issue 15's figure: the idle RSS of the agent as shipped (the bundled file under plain
 * `node`) on a host of an N-host network, with real wireguard-go in a network namespace of its
 * own: one signed snapshot applied (N - 1 WireGuard peers, the nft table, DNS, env file), then
 * a few seconds idle and a few reconcile rounds. Needs root, wg, wireguard-go, nft, ip.
 * The same under tsx (`npm run agent`) for comparison. Run alone: `npx tsx bench/agent-rss.ts [N]`.
 */

const exec = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type AgentRss = { bundled: number; tsx: number; bundleBytes: number; peers: number };

export async function measureAgentRss(hosts: number, idleMs = 20_000): Promise<AgentRss> {
  if (process.getuid?.() !== 0) throw new Error('the agent measurement needs root (network namespaces, wireguard-go)');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'meshplane-bench-agent-'));
  const ns = `mpb-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    const bundle = await buildAgent(path.join(tmp, 'bin', 'meshplane-agent.mjs'));
    const bundleBytes = readFileSync(bundle).length;
    const run = async (how: 'bundled' | 'tsx', n: number) => {
      const signer = generateSigningKey();
      const keys = generateKeyPair();
      const state = randomState(seededRng(n), hosts, 20);
      state.hosts[0].publicKey = keys.publicKey;
      const dir = path.join(tmp, `${how}-state`);
      const iface = `mpb${randomBytes(3).toString('hex')}`;
      await writePrivateKey(dir, keys.privateKey);
      await writeIdentity(dir, {
        server: 'http://127.0.0.1:7001', peerId: state.hosts[0].peerId, hostToken: 'ht', interface: iface,
        signingPublicKey: Buffer.from(signer.publicKey).toString('base64'), listen: '127.0.0.1:7000', endpoint: '127.0.0.1:51820',
      });
      const body = path.join(tmp, `${how}-push.json`);
      await writeFile(body, JSON.stringify(envelopeFor(signPayload({ type: 'snapshot', networkId: state.networkId, version: 1, state }, signer.secretKey), state.hosts[0].peerId)));
      const log = openSync(path.join(tmp, `${how}.log`), 'a');
      const cmd = how === 'bundled' ? ['node', bundle] : ['node', '--import', 'tsx', path.join(root, 'agent/cli.ts')];
      const child = spawn('ip', ['netns', 'exec', ns, ...cmd, 'run', '--state-dir', dir, '--dns-port', '5353', '--dns-upstream', 'none'],
        { stdio: ['ignore', log, log], cwd: how === 'bundled' ? path.dirname(bundle) : root });
      closeSync(log);
      const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
      try {
        const code = `const b=require('fs').readFileSync(process.argv[1]);(async()=>{for(let i=0;i<100;i++){try{const r=await fetch('http://127.0.0.1:7000/push',{method:'POST',body:b});console.log(r.status);return}catch{await new Promise(r=>setTimeout(r,200))}}console.log(0)})()`;
        const { stdout } = await exec('ip', ['netns', 'exec', ns, 'node', '-e', code, body], { timeout: 60_000 });
        if (stdout.trim() !== '200') throw new Error(`the ${how} agent answered ${stdout.trim()}: ${readFileSync(path.join(tmp, `${how}.log`), 'utf8')}`);
        await new Promise((r) => setTimeout(r, idleMs)); // idle, one reconcile round at least
        return rss();
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
        for (const pid of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
          try { process.kill(Number(pid), 'SIGTERM'); } catch { /* gone */ }
        }
      }
    };
    const bundled = await run('bundled', 1);
    const tsx = await run('tsx', 2);
    return { bundled, tsx, bundleBytes, peers: hosts - 1 };
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 1000);
  const r = await measureAgentRss(n, Number(process.env.IDLE_MS ?? 20_000));
  console.log(`${n} hosts: bundled ${(r.bundled / 1e6).toFixed(1)} MB, tsx ${(r.tsx / 1e6).toFixed(1)} MB, bundle ${(r.bundleBytes / 1024).toFixed(0)} KiB`);
}
