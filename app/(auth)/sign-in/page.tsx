import Link from 'next/link';
import type { Metadata } from 'next';
import { getDb } from '@/lib/server/db/client';
import { env } from '@/lib/server/env';
import { signUpState } from '@/lib/server/users/sign-up';
import { signInAction } from '../actions';
import { AuthForm } from '../auth-form';
import { oidcButton } from '../oidc';

export const metadata: Metadata = { title: 'Sign in' };

/** Why a single sign-on came back here (lib/server/auth/config.ts's signIn callback). */
const oidcRefused = 'Single sign-on did not sign you in: this server makes no new accounts that way, or an account with your email exists and your provider has not verified the address. Ask a project owner or admin for an invitation link, or sign in with your password.';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string | string[] }> }) {
  const refused = (await searchParams).error === 'oidc_refused';
  const signUp = await signUpState(await getDb(), env().MESHPLANE_SIGNUP);
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Sign in</h1>
      {refused && <p role="alert" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">{oidcRefused}</p>}
      <AuthForm mode="sign-in" action={signInAction} />
      {oidcButton()}
      <p className="mt-4 text-center text-sm text-slate-600">
        {signUp.open
          ? <>New here? <Link href="/sign-up" className="font-medium text-indigo-700 hover:underline">Create an account</Link></>
          : 'New here? Ask a project owner or admin for an invitation link.'}
      </p>
    </>
  );
}
