import Link from 'next/link';
import type { Metadata } from 'next';
import { getDb } from '@/lib/server/db/client';
import { env } from '@/lib/server/env';
import { signUpState } from '@/lib/server/users/sign-up';
import { signUpAction } from '../actions';
import { AuthForm } from '../auth-form';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage() {
  const state = await signUpState(await getDb(), env().MESHPLANE_SIGNUP);
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Create an account</h1>
      {state.open ? (
        <AuthForm mode="sign-up" action={signUpAction} />
      ) : (
        <p role="status" className="rounded-md bg-slate-50 p-4 text-sm text-slate-700 ring-1 ring-slate-200">{state.message}</p>
      )}
      <p className="mt-4 text-center text-sm text-slate-600">
        Have an account? <Link href="/sign-in" className="font-medium text-indigo-700 hover:underline">Sign in</Link>
      </p>
    </>
  );
}
