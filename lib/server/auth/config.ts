import NextAuth, { CredentialsSignin, type NextAuthConfig } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { env } from '../env';
import { getDb } from '../db/client';
import { signInSchema } from '../users/users';
import { oidcAccount } from '../users/sign-up';
import { attemptSignIn } from './sign-in';
import { createSession, endSession, sessionMaxAgeSeconds } from './sessions';
import { clientIp } from '../http/client-ip';

declare module 'next-auth' {
  interface Session {
    /** The row in `sessions` this cookie belongs to (lib/server/auth/sessions.ts). */
    sessionId?: string;
  }
}

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
    session: { strategy: 'jwt', maxAge: sessionMaxAgeSeconds },
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
          const ip = clientIp(request.headers, e.MESHPLANE_TRUSTED_PROXIES);
          const outcome = await attemptSignIn(await getDb(), { ...parsed.data, ip });
          if (!outcome.ok) {
            if (outcome.reason === 'rate_limited') throw new RateLimited();
            return null;
          }
          const { user } = outcome;
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
      ...oidc,
    ],
    events: {
      // Sign-out ends the session's row, so the cookie stops working at once, wherever a copy is.
      async signOut(message) {
        const sid = 'token' in message ? message.token?.sid : undefined;
        if (typeof sid === 'string') await endSession(await getDb(), sid);
      },
    },
    callbacks: {
      // An OIDC sign-in is refused (back to the sign-in page, which says why) when the sign-up
      // policy would refuse the account, or when it would take over an account by an unverified email.
      async signIn({ user, account, profile }) {
        if (account?.provider !== 'oidc') return true;
        const found = profile?.email ? await oidcAccount(await getDb(), e.MESHPLANE_SIGNUP, {
          subject: String(profile.sub ?? account.providerAccountId), email: profile.email,
          emailVerified: profile.email_verified === true, name: String(profile.name ?? ''),
        }) : null;
        if (!found) return '/sign-in?error=oidc_refused';
        user.id = found.id; // the jwt callback below takes the account from here
        return true;
      },
      async jwt({ token, user }) {
        const uid = user?.id;
        // A sign-in (not a refresh of an existing cookie): a session row of its own.
        if (uid) {
          token.uid = uid;
          token.sid = await createSession(await getDb(), uid);
        }
        return token;
      },
      session({ session, token }) {
        if (token.uid) session.user.id = token.uid as string;
        if (token.sid) session.sessionId = token.sid as string;
        return session;
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());
