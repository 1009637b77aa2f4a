/**
 * Bootstrap without HTTP (API.md): `user create --email E --password P [--name N]`,
 * `token create --email E [--name N]`, which prints the new token alone on stdout, and
 * `user set-password --email E` for an administrator who lost access: the new password is
 * read from stdin (or asked for, unechoed, on a terminal), never from the command line,
 * and every session of that user ends.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../lib/db/client';
import { env } from '../lib/env';
import { createUser, findUserByEmail } from '../lib/users/users';
import { createApiToken } from '../lib/tokens/api-tokens';
import { setPasswordByEmail } from '../lib/users/account';
import { readSecret } from './read-secret';
import { AppError } from '../lib/errors';
import { ZodError } from 'zod';

const usage = `usage:
  npm run cli -- user create --email E --password P [--name N]
  npm run cli -- token create --email E [--name N]
  npm run cli -- user set-password --email E   (the password from stdin, or asked for)`;

async function main() {
  const [noun, verb, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } });
  const setPassword = noun === 'user' && verb === 'set-password';
  if (setPassword && values.password) {
    console.error('set-password reads the password from stdin or a prompt, never from the command line (it would stay in the shell history).');
    return 2;
  }
  if ((verb !== 'create' && !setPassword) || !values.email || (noun === 'user' && verb === 'create' && !values.password) || !['user', 'token'].includes(noun)) {
    console.error(usage);
    return 2;
  }
  const password = setPassword ? await readSecret(`New password for ${values.email}: `) : undefined;
  const handle = await openDatabase(env().DATABASE_URL);
  try {
    if (setPassword) {
      const { user, sessionsEnded } = await setPasswordByEmail(handle.db, values.email, password!);
      console.error(`password set for ${user.email}; ${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended`);
    } else if (noun === 'user') {
      const user = await createUser(handle.db, { email: values.email, password: values.password!, name: values.name ?? '' });
      console.error(`created user ${user.email} (${user.id}, handle ${user.handle})`);
    } else {
      const user = await findUserByEmail(handle.db, values.email);
      if (!user) throw new AppError(404, 'user_not_found', `no user with email ${values.email}`);
      const token = await createApiToken(handle.db, user.id, values.name ?? 'cli');
      console.log(token.token);
    }
    return 0;
  } finally {
    await handle.close();
  }
}

main().then((code) => process.exit(code), (e) => {
  if (e instanceof ZodError) console.error(e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  else if (e instanceof AppError) console.error(e.message);
  else console.error(e);
  process.exit(1);
});
