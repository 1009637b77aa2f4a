'use client';
import { useActionState } from 'react';
import type { ActionResult } from '@/lib/server/actions/run-action';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';

type Mode = 'sign-in' | 'sign-up';

export function AuthForm({ mode, action }: { mode: Mode; action: (p: ActionResult | null, f: FormData) => Promise<ActionResult> }) {
  const [state, formAction] = useActionState(action, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const formError = state && !state.ok && Object.keys(state.fieldErrors).length === 0 ? state.error : null;
  // React resets the form after the action: what was typed comes back as the defaults.
  const values = (state && !state.ok && state.values) || {};
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <FormError message={formError} />
      <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus error={errors.email} defaultValue={values.email} />
      {mode === 'sign-up' && <Field label="Name" name="name" autoComplete="name" error={errors.name} hint="Optional; shown to your team." defaultValue={values.name} />}
      <Field label="Password" name="password" type="password" required error={errors.password}
        autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
        hint={mode === 'sign-up' ? 'At least 8 characters.' : undefined} />
      <SubmitButton className="w-full" pendingText={mode === 'sign-up' ? 'Creating account…' : 'Signing in…'}>
        {mode === 'sign-up' ? 'Create account' : 'Sign in'}
      </SubmitButton>
    </form>
  );
}
