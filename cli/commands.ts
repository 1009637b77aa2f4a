import { existsSync, writeFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import QRCode from 'qrcode';
import { generateKeyPair } from '../lib/core/wireguard/keys';
import { configFileName } from '../lib/core/wireguard/client-config';
import { qrAdvice } from '../lib/core/wireguard/qr';
import { renderDeviceConfig } from '../lib/core/devices/render';
import type { DeviceConfigAnswer } from '../lib/core/devices/types';
import type { ApiClient } from './client';
import { idArgument, processCounts } from './args';
import { UsageError } from './errors';
import { table, timeLeft } from './format';

/** What a command prints: `json` for --json, `text` for people. */
export type Output = { json: unknown; text: string };
type Values = Record<string, string | boolean | string[] | undefined>;
export type Context = { values: Values; positionals: string[]; api: ApiClient };

export type Command = {
  /** One or two words: `projects`, `network create`. */
  name: string;
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Positional arguments allowed after the command words. */
  positionals?: 'none' | 'one' | 'many';
  run: (ctx: Context) => Promise<Output>;
};

type Item = Record<string, unknown>;
type List = { items: Item[] };

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
function required(values: Values, name: string, example: string): string {
  const v = str(values[name]);
  if (!v) throw new UsageError(`--${name} is required (e.g. --${name} ${example}).`);
  return v;
}
const enc = encodeURIComponent;
function wholeNumber(values: Values, name: string): number | undefined {
  const v = str(values[name]);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name}: "${v}" is not a whole number.`);
  return Number(v);
}

async function allNetworks(api: ApiClient, projectId?: string): Promise<Item[]> {
  const projects = projectId ? [{ id: projectId }] : (await api.get<List>('/projects')).items;
  const lists = await Promise.all(projects.map((p) => api.get<List>(`/projects/${enc(String(p.id))}/networks`)));
  return lists.flatMap((l, i) => l.items.map((n) => ({ projectId: projects[i].id, ...n })));
}

const networkColumns: [string, (n: Item) => unknown][] = [
  ['ID', (n) => n.id], ['LABEL', (n) => n.label], ['CIDR', (n) => n.cidr], ['VERSION', (n) => n.configVersion], ['PROJECT', (n) => n.projectId],
];
const leaseColumns: [string, (l: Item) => unknown][] = [
  ['ID', (l) => l.id], ['NETWORK', (l) => l.networkId], ['IP', (l) => l.ip], ['EXPIRES', (l) => `${l.expiresAt} (${timeLeft(String(l.expiresAt))})`],
  ['BY', (l) => (l.user as Item | null)?.email],
];

export const commands: Command[] = [
  {
    name: 'projects', usage: 'meshplane projects [--json]', summary: 'List your projects and your role in each.', options: {},
    run: async ({ api }) => {
      const { items } = await api.get<List>('/projects');
      return { json: items, text: table(items, [['ID', (p) => p.id], ['NAME', (p) => p.name], ['ROLE', (p) => p.role]], 'No projects.') };
    },
  },
  {
    name: 'networks', usage: 'meshplane networks [--project pj-…] [--json]', summary: 'List the networks of one project, or of all yours.',
    options: { project: { type: 'string' } },
    run: async ({ api, values }) => {
      const project = str(values.project) && idArgument(str(values.project), ['pj'], 'project');
      const items = await allNetworks(api, project || undefined);
      return { json: items, text: table(items, networkColumns, 'No networks.') };
    },
  },
  {
    name: 'network create', usage: 'meshplane network create --project pj-… --label L [--cidr C] [--description D] [--tag T]… [--json]',
    summary: 'Create a private network (its CIDR is allocated unless you give one).',
    options: { project: { type: 'string' }, label: { type: 'string' }, cidr: { type: 'string' }, description: { type: 'string' }, tag: { type: 'string', multiple: true } },
    run: async ({ api, values }) => {
      const project = idArgument(required(values, 'project', 'pj-…'), ['pj'], 'project');
      const body = { label: required(values, 'label', 'prod'), cidr: str(values.cidr), description: str(values.description), tags: values.tag };
      const n = await api.post<Item>(`/projects/${enc(project)}/networks`, body);
      return { json: n, text: `Created ${n.id} (${n.label}) with ${n.cidr}.\n` };
    },
  },
  {
    name: 'members', usage: 'meshplane members --network pn-… [--json]', summary: "List a network's members.",
    options: { network: { type: 'string' } },
    run: async ({ api, values }) => {
      const network = idArgument(required(values, 'network', 'pn-…'), ['pn'], 'network');
      const { items } = await api.get<List>(`/networks/${enc(network)}/members`);
      return {
        json: items,
        text: table(items, [['ID', (m) => m.id], ['KIND', (m) => m.kind], ['LABEL', (m) => m.label], ['PROCESSES', (m) => processesText(m)], ['TAGS', (m) => m.tags]], 'No members.'),
      };
    },
  },
  {
    name: 'member add', usage: 'meshplane member add --network pn-… --kind application|addon|external --label L [--process web=2]… [--instances N] [--tag T]… [--json]',
    summary: 'Add a member; an application gets its processes (default web=1), the others a number of instances.',
    options: { network: { type: 'string' }, kind: { type: 'string' }, label: { type: 'string' }, process: { type: 'string', multiple: true }, instances: { type: 'string' }, tag: { type: 'string', multiple: true } },
    run: async ({ api, values }) => {
      const network = idArgument(required(values, 'network', 'pn-…'), ['pn'], 'network');
      const processes = values.process ? processCounts(values.process as string[]) : undefined;
      const instances = str(values.instances);
      if (instances !== undefined && !/^\d+$/.test(instances)) throw new UsageError(`--instances: "${instances}" is not a whole number.`);
      const body = { kind: required(values, 'kind', 'application'), label: required(values, 'label', 'api'), processes, instances: instances === undefined ? undefined : Number(instances), tags: values.tag };
      const m = await api.post<Item>(`/networks/${enc(network)}/members`, body);
      const peers = (m.peers as Item[] | undefined) ?? [];
      return { json: m, text: `Added ${m.kind} ${m.id} (${m.label}) with ${peers.length} ${peers.length === 1 ? 'peer' : 'peers'}.\n` + peerTable(peers) };
    },
  },
  {
    name: 'scale', usage: 'meshplane scale ap-… web=3 [worker=1]…  |  meshplane scale ad-…|ex-… instances=3 [--json]',
    summary: "Set a member's instance counts: processes not named keep theirs, 0 removes one.", options: {}, positionals: 'many',
    run: async ({ api, positionals }) => {
      const [memberArg, ...pairs] = positionals;
      const member = idArgument(memberArg, ['ap', 'ad', 'ex'], 'member');
      const m = await api.put<Item>(`/members/${enc(member)}/processes`, processCounts(pairs));
      return { json: m, text: `${m.id ?? member}: ${processesText(m) || 'scaled'}.\n` };
    },
  },
  {
    name: 'peers', usage: 'meshplane peers --network pn-… [--json]', summary: "List a network's peers with their addresses and push state.",
    options: { network: { type: 'string' } },
    run: async ({ api, values }) => {
      const network = idArgument(required(values, 'network', 'pn-…'), ['pn'], 'network');
      const items: Item[] = [];
      let after: string | null = null;
      // The API pages by address; follow the pages so the list is whole.
      do {
        const page: { items: Item[]; nextAfter: string | null } = await api.get(`/networks/${enc(network)}/peers${after ? `?after=${enc(after)}` : ''}`);
        items.push(...page.items);
        after = page.nextAfter;
      } while (after);
      return { json: items, text: peerTable(items) };
    },
  },
  {
    name: 'domain-names', usage: 'meshplane domain-names ap-…|ad-…|ex-… [--json]', summary: "Every private DNS name of a member with its addresses.",
    options: {}, positionals: 'one',
    run: async ({ api, positionals }) => {
      const member = idArgument(positionals[0], ['ap', 'ad', 'ex'], 'member');
      const { items } = await api.get<List>(`/members/${enc(member)}/domain-names`);
      return { json: items, text: table(items, [['NAME', (d) => d.name], ['ADDRESSES', (d) => d.addresses]], 'No names: the member has no instances.') };
    },
  },
  {
    name: 'lease', usage: 'meshplane lease --network pn-… [--ip IP] [--json]',
    summary: "Lease Now: open the network's hosts to your public IP (as the server sees it) for 24 hours.",
    options: { network: { type: 'string' }, ip: { type: 'string' } },
    run: async ({ api, values }) => {
      const network = idArgument(required(values, 'network', 'pn-…'), ['pn'], 'network');
      const lease = await api.post<Item>(`/networks/${enc(network)}/firewall/leases`, str(values.ip) ? { ip: values.ip } : {});
      return { json: lease, text: `Leased ${lease.ip} until ${lease.expiresAt} (${timeLeft(String(lease.expiresAt))}); lease ${lease.id}.\n` };
    },
  },
  {
    name: 'leases', usage: 'meshplane leases [--network pn-…] [--json]', summary: 'List active leases of one network, or of every network you see.',
    options: { network: { type: 'string' } },
    run: async ({ api, values }) => {
      const one = str(values.network) && idArgument(str(values.network), ['pn'], 'network');
      const networkIds = one ? [one] : (await allNetworks(api)).map((n) => String(n.id));
      const firewalls = await Promise.all(networkIds.map((id) => api.get<{ leases: Item[] }>(`/networks/${enc(id)}/firewall`)));
      const items = firewalls.flatMap((f) => f.leases);
      return { json: items, text: table(items, leaseColumns, 'No active leases.') };
    },
  },
  {
    name: 'join-key create',
    usage: 'meshplane join-key create ap-…|ad-…|ex-… [--process web] [--autoscale [--max-instances N]] [--ephemeral] [--max-uses N] [--expires-in-hours H] [--json]',
    summary: 'Make a reusable join key for a member (shown once): hosts join with `meshplane-agent join --key K`.',
    options: {
      process: { type: 'string' }, autoscale: { type: 'boolean' }, 'max-instances': { type: 'string' }, ephemeral: { type: 'boolean' },
      'max-uses': { type: 'string' }, 'expires-in-hours': { type: 'string' },
    },
    positionals: 'one',
    run: async ({ api, values, positionals }) => {
      const member = idArgument(positionals[0], ['ap', 'ad', 'ex'], 'member');
      const body = {
        process: str(values.process), autoscale: values.autoscale === true, ephemeral: values.ephemeral === true,
        maxInstances: wholeNumber(values, 'max-instances'), maxUses: wholeNumber(values, 'max-uses'), expiresInHours: wholeNumber(values, 'expires-in-hours'),
      };
      const k = await api.post<Item>(`/members/${enc(member)}/join-keys`, body);
      const process = k.process && k.process !== 'instance' ? ` --process ${k.process}` : '';
      const traits = [k.process && k.process !== 'instance' ? `process ${k.process}` : null, k.autoscale ? `autoscale${k.maxInstances ? ` up to ${k.maxInstances}` : ''}` : null,
        k.ephemeral ? 'ephemeral' : null, k.maxUses ? `${k.maxUses} ${k.maxUses === 1 ? 'use' : 'uses'}` : 'unlimited uses'].filter(Boolean);
      const text = `Created join key ${k.id} for ${member} (${traits.join(', ')}; expires ${k.expiresAt}).\n`
        + `Key (shown once, only its hash is kept): ${k.key}\n`
        // The server this CLI talks to; hosts may reach the control plane at another address.
        + `On a host, as root: curl -fsSL ${api.server()}/agent/install.sh | sudo sh -s -- --key ${k.key}${process}\n`
        + `Or, where the agent is installed: meshplane-agent join --server ${api.server()} --key ${k.key}${process}\n`;
      return { json: k, text };
    },
  },
  {
    name: 'device add', usage: 'meshplane device add --name laptop [--out mp-laptop.conf] [--qr] [--json]',
    summary: 'Add a device: the key pair is made here, the server sees the public key only; writes the wg-quick config (mode 600).',
    options: { name: { type: 'string' }, out: { type: 'string' }, qr: { type: 'boolean' } },
    run: async ({ api, values }) => {
      const name = required(values, 'name', 'laptop');
      const file = str(values.out) ?? configFileName(name);
      // Checked before the device exists: its private key must never be lost to a clash.
      if (existsSync(file)) throw new UsageError(`${file} already exists: choose another --out, or move it away.`);
      const keys = generateKeyPair();
      const answer = await api.post<DeviceConfigAnswer>('/devices', { name, publicKey: keys.publicKey });
      const config = renderDeviceConfig(answer, keys.privateKey);
      writeFileSync(file, config, { mode: 0o600, flag: 'wx' });
      let text = `Added device ${answer.id} (${answer.name}): ${answer.addresses.join(', ')}.\nWrote ${file} (it holds the private key; bring it up with \`wg-quick up ./${file.replace(/^.*\//, '')}\`).\n`;
      if (values.qr) {
        const advice = qrAdvice(config, answer.peers.length);
        text += advice.fits
          ? '\n' + (await QRCode.toString(config, { type: 'terminal', small: true, errorCorrectionLevel: advice.level }))
          : `\nNo QR code: ${advice.message}\n`;
      }
      const { privateKey: _secret, ...publicPart } = keys;
      return { json: { ...answer, ...publicPart, file }, text };
    },
  },
  {
    name: 'push', usage: 'meshplane push --network pn-… [--json]', summary: "Push now: deliver the network's current config to every host that is behind.",
    options: { network: { type: 'string' } },
    run: async ({ api, values }) => {
      const network = idArgument(required(values, 'network', 'pn-…'), ['pn'], 'network');
      const r = await api.post<Item>(`/networks/${enc(network)}/push`);
      return { json: r, text: `Version ${r.configVersion}: ${r.claimed} claimed, ${r.applied} applied, ${r.failed} failed.\n` };
    },
  },
];

function processesText(m: Item): string {
  const p = m.processes as Record<string, number> | undefined;
  if (p && Object.keys(p).length) return Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');
  return typeof m.instances === 'number' ? `instances=${m.instances}` : '';
}

function peerTable(items: Item[]): string {
  return table(items, [
    ['ID', (p) => p.id], ['MEMBER', (p) => p.memberId], ['INSTANCE', (p) => (p.process ? `${p.process}.${p.number}` : p.number)],
    ['IP', (p) => p.ip], ['NAME', (p) => (p.names as string[] | undefined)?.[0]], ['STATE', (p) => pushStateText(p)], ['ENDPOINT', (p) => p.endpoint],
  ], 'No peers.');
}

function pushStateText(p: Item): string {
  if (!p.enrolled && p.publicKey == null) return 'not enrolled';
  const state = String(p.pushState ?? '-');
  return p.appliedVersion === p.desiredVersion ? `${state} v${p.appliedVersion}` : `${state} v${p.appliedVersion ?? '-'}→v${p.desiredVersion}`;
}
