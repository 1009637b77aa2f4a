import Link from 'next/link';
import type { Metadata } from 'next';
import { getDb } from '@/lib/server/db/client';
import { env } from '@/lib/server/env';
import { signUpState } from '@/lib/server/users/sign-up';
import { signInAction } from '../actions';
import { AuthForm } from '../auth-form';
import { oidcButton } from '../oidc';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage() {
  const signUp = await signUpState(await getDb(), env().MESHPLANE_SIGNUP);
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Sign in</h1>
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
