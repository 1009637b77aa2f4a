/**
 * Bootstrap and operations without HTTP (API.md, README): `user create`, `token create` (prints
 * the new token alone on stdout), `user set-password` for an administrator who lost access
 * (the password from stdin or an unechoed prompt, never argv; every session of that user
 * ends), `backup` and `restore` of the embedded database.
 *
 * With the embedded database (PGlite allows one process) and the server running, a command
 * runs inside the server, sent over its local socket (lib/server/cli/local-socket.ts): so a command
 * reads and writes only through `io` (paths relative to `io.cwd`) and the database through
 * `handle`, never process.* or a database of its own. A command with `alone` instead of `run`
 * needs the data dir to itself and never runs through the server.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ZodError } from 'zod';
import { openDatabase, type Handle } from '../lib/server/db/client';
import { BackupError, restoreBackup, secretsBeside, writeBackup } from '../lib/server/db/backup';
import { DataDirInUseError, readHolder, type LockHolder } from '../lib/server/db/data-dir-lock';
import { runThroughSocket, SocketUnreachable, type CliIo } from '../lib/server/cli/local-socket';
import { defaultDataDir, env } from '../lib/server/env';
import { createUser, findUserByEmail } from '../lib/server/users/users';
import { createApiToken } from '../lib/server/tokens/api-tokens';
import { setPasswordByEmail } from '../lib/server/users/account';
import { AppError } from '../lib/server/errors';
import { readSecret } from './read-secret';

type Values = Record<string, string | boolean | undefined>;
type Command = {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  required: string[];
  /** A secret read here, before the command runs anywhere, and handed to it as its stdin. */
  secret?: (values: Values) => string;
} & (
  | { run: (values: Values, ctx: { handle: Handle; io: CliIo }) => Promise<number | void> }
  /** Needs the data dir to itself: opens nothing shared, never runs through the server. */
  | { alone: (values: Values, io: CliIo) => Promise<number | void> }
);

const str = (v: Values[string]) => v as string;

export const commands: Record<string, Command> = {
  'user create': {
    usage: '--email E --password P [--name N]',
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    required: ['email', 'password'],
    run: async (v, { handle, io }) => {
      const user = await createUser(handle.db, { email: str(v.email), password: str(v.password), name: str(v.name) ?? '' });
      io.stderr.write(`created user ${user.email} (${user.id}, handle ${user.handle})\n`);
    },
  },
  'token create': {
    usage: '--email E [--name N]',
    options: { email: { type: 'string' }, name: { type: 'string' } },
    required: ['email'],
    run: async (v, { handle, io }) => {
      const user = await findUserByEmail(handle.db, str(v.email));
      if (!user) throw new AppError(404, 'user_not_found', `no user with email ${v.email}`);
      const token = await createApiToken(handle.db, user.id, str(v.name) ?? 'cli');
      io.stdout.write(token.token + '\n');
    },
  },
  'user set-password': {
    usage: '--email E   (the password from stdin, or asked for)',
    // --password is an option only to refuse it with a reason: it would stay in the shell history.
    options: { email: { type: 'string' }, password: { type: 'string' } },
    required: ['email'],
    secret: (v) => `New password for ${v.email}: `,
    run: async (v, { handle, io }) => {
      if (v.password !== undefined) {
        io.stderr.write('set-password reads the password from stdin or a prompt, never from the command line (it would stay in the shell history).\n');
        return 2;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
      const { user, sessionsEnded } = await setPasswordByEmail(handle.db, str(v.email), Buffer.concat(chunks).toString('utf8'));
      io.stderr.write(`password set for ${user.email}; ${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended\n`);
    },
  },
  backup: {
    usage: '--out FILE',
    options: { out: { type: 'string' } },
    required: ['out'],
    run: async (v, { handle, io }) => {
      const file = path.resolve(io.cwd, str(v.out));
      const size = await writeBackup(handle, file);
      const secrets = secretsBeside(env().MESHPLANE_DATA_DIR);
      io.stderr.write(`wrote ${file} (${(size / 1024 / 1024).toFixed(1)} MiB): the embedded database.\n` +
        `Keep the secrets with it, or its encrypted data cannot be read: ${[...secrets, 'MESHPLANE_ENCRYPTION_KEY and AUTH_SECRET if given by env'].join(', ')} (README, Backups).\n`);
    },
  },
  restore: {
    usage: '--from FILE [--force]',
    options: { from: { type: 'string' }, force: { type: 'boolean' } },
    required: ['from'],
    // Not env(): it would make new secrets in the data dir, where the backup's belong.
    alone: async (v, io) => {
      if (process.env.DATABASE_URL) throw new BackupError('With DATABASE_URL (PostgreSQL), restore with pg_restore: see the README, Backups.');
      const file = path.resolve(io.cwd, str(v.from));
      let bytes: Buffer;
      try { bytes = readFileSync(file); } catch (e) { throw new BackupError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
      const dataDir = path.resolve(process.env.MESHPLANE_DATA_DIR || defaultDataDir);
      const { users } = await restoreBackup(dataDir, bytes, { force: v.force === true });
      io.stderr.write(`restored ${file} into ${dataDir} (${users} users).\n`);
      if (secretsBeside(dataDir).length === 0 && !process.env.MESHPLANE_ENCRYPTION_KEY) {
        io.stderr.write(`${dataDir} holds no encryption key: put the secrets that went with the backup there (secrets.env, encryption-key, auth-secret) before starting the server, or what is stored encrypted cannot be read (README, Backups).\n`);
      }
    },
  },
};

const usage = 'usage:\n' + Object.entries(commands).map(([name, c]) => `  npm run cli -- ${name} ${c.usage}`).join('\n') + '\n';

type Parsed = { command: Command; values: Values };

function parse(argv: string[]): Parsed | undefined {
  const name = [argv.slice(0, 2).join(' '), argv[0]].find((n) => n in commands);
  if (!name) return undefined;
  const command = commands[name];
  try {
    const { values } = parseArgs({ args: argv.slice(name.split(' ').length), options: command.options, strict: true });
    return command.required.every((r) => values[r] !== undefined) ? { command, values: values as Values } : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one command line with `handle`, here or inside the server (local-socket.ts): its exit code. */
export async function runCommand(argv: string[], handle: Handle, io: CliIo): Promise<number> {
  const parsed = parse(argv);
  if (!parsed) {
    io.stderr.write(usage);
    return 2;
  }
  const { command, values } = parsed;
  if (!('run' in command)) {
    io.stderr.write(`\`${argv[0]}\` needs the data dir to itself: stop the server first (README, Backups).\n`);
    return 1;
  }
  return attempt(() => command.run(values, { handle, io }), io);
}

async function attempt(run: () => Promise<number | void>, io: CliIo): Promise<number> {
  try {
    return (await run()) ?? 0;
  } catch (e) {
    if (e instanceof ZodError) io.stderr.write(e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') + '\n');
    else if (e instanceof AppError || e instanceof BackupError || e instanceof DataDirInUseError) io.stderr.write(e.message + '\n');
    else throw e;
    return 1;
  }
}

/** A server that holds the lock but does not listen yet (migrating) gets this long to. */
const serverStartMs = 20_000;

async function throughServer(argv: string[], refusal: DataDirInUseError, io: CliIo): Promise<number> {
  const until = Date.now() + serverStartMs;
  let holder: LockHolder | undefined = refusal.holder;
  while (holder?.nonce === refusal.holder.nonce) {
    if (holder.socket) {
      try {
        return await runThroughSocket(holder.socket, argv, io);
      } catch (e) {
        if (!(e instanceof SocketUnreachable)) throw e;
      }
    }
    if (Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 200));
    holder = readHolder(refusal.lockFile);
  }
  if (holder && holder.nonce !== refusal.holder.nonce) io.stderr.write('The process holding the database changed meanwhile; run the command again.\n');
  else io.stderr.write(refusal.message + '\n');
  return 1;
}

/** The command line of `npm run cli`: directly on the database, or through the running server. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv);
  if (!parsed) {
    io.stderr.write(usage);
    return 2;
  }
  const { command, values } = parsed;
  if ('alone' in command) return attempt(() => command.alone(values, io), io);
  if (command.secret && values.password === undefined) {
    io = { ...io, stdin: Readable.from([await readSecret(command.secret(values))]) };
  }
  let handle: Handle;
  try {
    handle = await openDatabase(env().DATABASE_URL, { kind: 'cli' });
  } catch (e) {
    if (e instanceof DataDirInUseError && e.holder.kind === 'server') return throughServer(argv, e, io);
    if (e instanceof DataDirInUseError) {
      io.stderr.write(e.message + '\n');
      return 1;
    }
    throw e;
  }
  try {
    return await runCommand(argv, handle, io);
  } finally {
    await handle.close();
  }
}

// Not when bundled into the server (dist/server/server.mjs), whose own URL this then is.
const invokedDirectly = /\/cli\.[cm]?[jt]s$/.test(import.meta.url) && process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
