/**
 * Bootstrap without HTTP (API.md): `user create --email E --password P [--name N]` and
 * `token create --email E [--name N]`, which prints the new token alone on stdout.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../lib/db/client';
import { env } from '../lib/env';
import { createUser, findUserByEmail } from '../lib/users/users';
import { createApiToken } from '../lib/tokens/api-tokens';
import { AppError } from '../lib/errors';
import { ZodError } from 'zod';

const usage = `usage:
  npm run cli -- user create --email E --password P [--name N]
  npm run cli -- token create --email E [--name N]`;

async function main() {
  const [noun, verb, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } });
  if (verb !== 'create' || !values.email || (noun === 'user' && !values.password) || !['user', 'token'].includes(noun)) {
    console.error(usage);
    return 2;
  }
  const handle = await openDatabase(env().DATABASE_URL);
  try {
    if (noun === 'user') {
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
