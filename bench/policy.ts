/**
 * The access policy's benchmark rows (issue 17), pure CPU, no database:
 *   npx tsx bench/policy.ts
 * 1. compile and sign the policy of a 5,000-host network with 200 rules after one rule changes
 *    (resolve every rule's selectors to addresses as lib/server/policy/rules.ts does, build the
 *    document, sign a snapshot);
 * 2. nft rules on one host of that network, next to the hosts count;
 * 3. apply time on a host without the nft call: derive the host config (policy compiled) and
 *    render the nft script.
 */
import { renderNftables } from '../lib/core/firewall/nftables';
import type { Policy } from '../lib/core/policy/document';
import { resolveSelector, type TaggedHost } from '../lib/core/policy/resolve';
import { parseSelector } from '../lib/core/policy/schemas';
import { deriveHostConfig } from '../lib/core/protocol/host-config';
import { generateSigningKey, signPayload } from '../lib/core/protocol/signing';
import { randomState, seededRng } from '../lib/core/protocol/testing';

const hostsCount = 5000;
const rulesCount = 200;
const state = randomState(seededRng(17), hostsCount, 0);
// 50 members of 100 hosts each, 10 tags over them: selectors of every kind.
const tagged: TaggedHost[] = state.hosts.map((h, i) => ({ memberId: `ap-m${String(i % 50).padStart(11, '0')}`, process: i % 2 ? 'web' : 'worker', ip: h.ip, tags: [`t${i % 10}`] }));
const selectors = (i: number) => [`ap-m${String(i % 50).padStart(11, '0')}`, `ap-m${String((i * 7) % 50).padStart(11, '0')}/worker`, `tag:t${i % 10}`, 'devices'][i % 4];
let rules = Array.from({ length: rulesCount }, (_, i) => ({ id: `pr-r${i}`, from: selectors(i), to: selectors(i + 1 === 3 ? 0 : i + 1).replace('devices', 'tag:t1'), protocol: 'tcp' as const, ports: String(1000 + i) }));
const signer = generateSigningKey();

function compileAndSign(version: number) {
  const resolve = (s: string) => resolveSelector(parseSelector(s)!, tagged, state.deviceBlock);
  const policy: Policy = { mode: 'isolated', rules: rules.map((r) => ({ ...r, from: resolve(r.from), to: resolve(r.to) })) };
  const doc = { ...state, version, policy };
  return { doc, signed: signPayload({ type: 'snapshot', networkId: doc.networkId, version, state: doc }, signer.secretKey) };
}

const time = <T>(f: () => T): [T, number] => { const t = performance.now(); const r = f(); return [r, performance.now() - t]; };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

compileAndSign(1); // warm-up
const compileMs: number[] = [];
let last = compileAndSign(2).doc;
for (let v = 3; v < 10; v++) {
  rules = rules.map((r, i) => (i === v ? { ...r, ports: String(2000 + v) } : r)); // one rule changes
  const [out, ms] = time(() => compileAndSign(v));
  compileMs.push(ms);
  last = out.doc;
}

// The host most rules target: tagged hosts collect the tag rules.
const target = state.hosts[1];
const applyMs: number[] = [];
const applyCpuMs: number[] = [];
let script = '';
// Two warm-up runs (as the compile row has one): an agent applies many changes in one process.
for (let i = -2; i < 7; i++) {
  const cpu = process.cpuUsage();
  const [s, ms] = time(() => {
    const config = deriveHostConfig(last, target.peerId, new Date());
    return renderNftables({ ...config.firewall, guard: { ip: target.ip, interface: 'mp0' }, ...(config.policy ? { policy: { interface: 'mp0', ...config.policy } } : {}) });
  });
  const used = process.cpuUsage(cpu);
  if (i >= 0) { applyMs.push(ms); applyCpuMs.push((used.user + used.system) / 1000); }
  script = s;
}
const nftRules = script.split('\n').filter((l) => /^ {4}(?!type |flags |elements)\S/.test(l) && !l.startsWith('      ')).length;
const policyRules = script.split('\n').filter((l) => l.includes(' accept comment "pr-')).length;

console.log('| what | target | measured |');
console.log('|---|---|---|');
console.log(`| compile and sign the policy of a ${hostsCount.toLocaleString('en-US')}-host network with ${rulesCount} rules after one rule changes | ≤ 300 ms | ${median(compileMs).toFixed(1)} ms (median of ${compileMs.length}) |`);
console.log(`| nft rules on one host of that network | grows with rules, not hosts | ${nftRules} rules (${policyRules} policy rules, one per rule that targets it) for ${hostsCount.toLocaleString('en-US')} hosts and ${rulesCount} rules |`);
console.log(`| apply time on a host (nft call excluded) | ≤ 50 ms | ${median(applyMs).toFixed(1)} ms (median of ${applyMs.length}; CPU ${median(applyCpuMs).toFixed(1)} ms, which load on a shared machine does not inflate) |`);
