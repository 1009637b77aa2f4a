import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client';
import { settings } from '../db/schema';
import { env } from '../env';
import { open, seal } from '../crypto/secret-box';
import { generateSigningKey, signingPublicKey } from '../../core/protocol/signing';

/*
 * The control plane's Ed25519 key, which every agent pins at enrolment. From
 * MESHPLANE_SIGNING_KEY when given; otherwise made once and kept in `settings`, sealed with
 * MESHPLANE_ENCRYPTION_KEY. Replicas may start together: the first insert wins and every
 * process then reads the stored one, so all of them sign with the same key.
 */

export type SigningKey = { secretKey: Uint8Array; publicKey: Uint8Array; publicKeyBase64: string };

const settingKey = 'push.signing-key';
let cached: Promise<SigningKey> | undefined;

export function getSigningKey(db: Queryable): Promise<SigningKey> {
  if (!cached) {
    const loading = loadSigningKey(db);
    cached = loading;
    // A failure (database down) is retried next time rather than remembered.
    loading.catch(() => { if (cached === loading) cached = undefined; });
  }
  return cached;
}

/** Tests that swap keys or databases start over. */
export function forgetSigningKey() {
  cached = undefined;
}

async function loadSigningKey(db: Queryable): Promise<SigningKey> {
  const given = env().MESHPLANE_SIGNING_KEY;
  if (given) return keyOf(new Uint8Array(Buffer.from(given, 'base64')));
  const encryptionKey = env().MESHPLANE_ENCRYPTION_KEY;
  const candidate = generateSigningKey().secretKey;
  await db.insert(settings).values({ key: settingKey, value: seal(candidate, encryptionKey, settingKey) }).onConflictDoNothing();
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, settingKey));
  if (!row) throw new Error('the signing key could not be stored');
  return keyOf(open(row.value, encryptionKey, settingKey));
}

function keyOf(secretKey: Uint8Array): SigningKey {
  const publicKey = signingPublicKey(secretKey);
  return { secretKey, publicKey, publicKeyBase64: Buffer.from(publicKey).toString('base64') };
}
