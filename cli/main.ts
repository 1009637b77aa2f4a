import { parseArgs } from 'node:util';
import { apiClient } from './client';
import { commands, type Command } from './commands';
import { configPath, normalizeServer, readStored, resolveTarget, writeStored, type Env } from './config';
import { RefusedError, UsageError } from './errors';

/*
 * meshplane: the HTTP API of /api/v1 from a terminal. Exit codes: 0 done, 1 refused by the
 * server (or the server unreachable), 2 wrong use. Never a stack trace: one line on stderr.
 */

const login: Command = {
  name: 'login', usage: 'meshplane login --server URL --token T',
  summary: 'Check the token against the server, then keep both in ~/.config/meshplane/config.json (mode 600).',
  options: { server: { type: 'string' }, token: { type: 'string' } },
  run: async () => { throw new Error('handled in main'); },
};

const all = [login, ...commands];

function overview(): string {
  const width = Math.max(...all.map((c) => c.name.length));
  return [
    'meshplane: manage Meshplane private networks over its HTTP API.',
    '',
    'Usage: meshplane <command> [options]   (meshplane <command> --help for its options)',
    '',
    ...all.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json (machine-readable output) and --help.',
    'MESHPLANE_SERVER and MESHPLANE_TOKEN override the server and token that login stored.',
    '',
  ].join('\n');
}

function help(c: Command): string {
  return `${c.summary}\n\nUsage: ${c.usage}\n`;
}

/** The command named by the first one or two words of argv. */
function find(argv: string[]): { command: Command; rest: string[] } | null {
  const two = all.find((c) => c.name === `${argv[0]} ${argv[1]}`);
  if (two) return { command: two, rest: argv.slice(2) };
  const one = all.find((c) => c.name === argv[0]);
  return one ? { command: one, rest: argv.slice(1) } : null;
}

type Io = { out: (s: string) => void; err: (s: string) => void; env: Env };

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.out(overview());
      return argv.length === 0 ? 2 : 0;
    }
    const found = find(argv);
    if (!found) {
      const group = all.filter((c) => c.name.startsWith(`${argv[0]} `)).map((c) => `meshplane ${c.name}`);
      throw new UsageError(group.length
        ? `"${argv.slice(0, 2).join(' ')}" is not a command: try ${group.join(', ')}.`
        : `"${argv[0]}" is not a command: run \`meshplane --help\` for the list.`);
    }
    const { command, rest } = found;
    let parsed;
    try {
      parsed = parseArgs({
        args: rest, strict: true, allowPositionals: command.positionals !== undefined && command.positionals !== 'none',
        options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      });
    } catch (e) {
      const first = (e as Error).message.split('\n')[0].replace(/\. To specify.*$/, '').replace(/\.?$/, '.');
      throw new UsageError(`${first} Usage: ${command.usage}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(help(command));
      return 0;
    }
    if (command.positionals === 'one' && positionals.length > 1) throw new UsageError(`Too many arguments. Usage: ${command.usage}`);

    const file = configPath(io.env);
    if (command === login) return await runLogin(values as Record<string, string | undefined>, file, io);
    const api = apiClient(() => resolveTarget(readStored(file), io.env));
    const output = await command.run({ values, positionals, api });
    io.out(values.json ? JSON.stringify(output.json, null, 2) + '\n' : output.text);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`meshplane: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RefusedError) {
      io.err(`meshplane: ${e.message}\n`);
      return 1;
    }
    io.err(`meshplane: unexpected error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

async function runLogin(values: Record<string, string | undefined>, file: string, io: Io): Promise<number> {
  if (!values.server) throw new UsageError('--server is required (e.g. --server https://mesh.example.com).');
  if (!values.token) throw new UsageError('--token is required: create one in the dashboard (Settings → API tokens) or with `npm run cli -- token create --email E`.');
  const server = normalizeServer(values.server);
  // A wrong token is refused here rather than on the first real command.
  const { items } = await apiClient({ server, token: values.token }).get<{ items: unknown[] }>('/projects');
  writeStored(file, { server, token: values.token });
  const answer = { server, config: file, projects: items.length };
  io.out(values.json ? JSON.stringify(answer, null, 2) + '\n' : `Logged in to ${server} (${items.length} ${items.length === 1 ? 'project' : 'projects'} visible); saved to ${file}.\n`);
  return 0;
}
