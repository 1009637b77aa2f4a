import Link from 'next/link';
import type { Metadata } from 'next';
import { signUpAction } from '../actions';
import { AuthForm } from '../auth-form';

export const metadata: Metadata = { title: 'Create an account' };

export default function SignUpPage() {
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Create an account</h1>
      <AuthForm mode="sign-up" action={signUpAction} />
      <p className="mt-4 text-center text-sm text-slate-600">
        Have an account? <Link href="/sign-in" className="font-medium text-indigo-700 hover:underline">Sign in</Link>
      </p>
    </>
  );
}
