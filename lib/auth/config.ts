import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { env } from '../env';
import { getDb } from '../db/client';
import { checkCredentials, signInSchema, upsertOidcUser } from '../users/users';
import { clearFailures, isRateLimited, recordFailure } from './rate-limit';
import { clientIp } from '../http/client-ip';

class RateLimited extends CredentialsSignin {
  code = 'rate_limited';
}

function config(): NextAuthConfig {
  const e = env();
  const oidc = e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
    ? [{
        id: 'oidc', name: e.OIDC_NAME, type: 'oidc' as const,
        issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET,
      }]
    : [];
  return {
    secret: e.AUTH_SECRET,
    trustHost: true,
    session: { strategy: 'jwt', maxAge: 7 * 24 * 3600 },
    pages: { signIn: '/sign-in' },
    logger: {
      // A wrong password is an expected outcome, not a stack trace in the log.
      error: (error) => { if ((error as { type?: string }).type !== 'CredentialsSignin') console.error(error); },
    },
    providers: [
      Credentials({
        credentials: { email: {}, password: {} },
        async authorize(credentials, request) {
          const parsed = signInSchema.safeParse(credentials);
          if (!parsed.success) return null;
          const { email, password } = parsed.data;
          const db = await getDb();
          const ip = clientIp(request.headers, e.MESHPLANE_TRUSTED_PROXIES);
          if (await isRateLimited(db, { email, ip })) throw new RateLimited();
          const user = await checkCredentials(db, email, password);
          if (!user) {
            await recordFailure(db, { email, ip });
            return null;
          }
          await clearFailures(db, email);
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
      ...oidc,
    ],
    callbacks: {
      async jwt({ token, user, account, profile }) {
        if (account?.provider === 'oidc' && profile?.email) {
          const linked = await upsertOidcUser(await getDb(), String(profile.sub ?? account.providerAccountId), profile.email, String(profile.name ?? ''));
          token.uid = linked.id;
        } else if (user?.id) {
          token.uid = user.id;
        }
        return token;
      },
      session({ session, token }) {
        if (token.uid) session.user.id = token.uid as string;
        return session;
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());
