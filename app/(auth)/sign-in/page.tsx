import Link from 'next/link';
import type { Metadata } from 'next';
import { signInAction } from '../actions';
import { AuthForm } from '../auth-form';
import { oidcButton } from '../oidc';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage() {
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Sign in</h1>
      <AuthForm mode="sign-in" action={signInAction} />
      {oidcButton()}
      <p className="mt-4 text-center text-sm text-slate-600">
        New here? <Link href="/sign-up" className="font-medium text-indigo-700 hover:underline">Create an account</Link>
      </p>
    </>
  );
}
