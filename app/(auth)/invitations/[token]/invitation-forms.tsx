'use client';
import { useActionState } from 'react';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { acceptInvitationAction, joinWithNewAccountAction, signInAndAcceptAction } from '../../actions';

function formError(state: Awaited<ReturnType<typeof acceptInvitationAction>> | null) {
  return state && !state.ok && Object.keys(state.fieldErrors).length === 0 ? state.error : null;
}

export function AcceptForm({ token }: { token: string }) {
  const [state, action] = useActionState(acceptInvitationAction, null);
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <FormError message={state && !state.ok ? state.error : null} />
      <SubmitButton className="w-full" pendingText="Joining…">Accept and open the project</SubmitButton>
    </form>
  );
}

/** The invited email has an account: its password signs in and accepts. */
export function SignInAcceptForm({ token, email }: { token: string; email: string }) {
  const [state, action] = useActionState(signInAndAcceptAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      <FormError message={formError(state)} />
      <Field label="Email" name="email" type="email" value={email} readOnly autoComplete="username" />
      <Field label="Password" name="password" type="password" required autoFocus autoComplete="current-password" error={errors.password} />
      <SubmitButton className="w-full" pendingText="Signing in…">Sign in and join</SubmitButton>
    </form>
  );
}

/** No account yet: a name and a password make one with the invited email. */
export function NewAccountForm({ token, email }: { token: string; email: string }) {
  const [state, action] = useActionState(joinWithNewAccountAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const values = (state && !state.ok && state.values) || {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      <FormError message={formError(state)} />
      <Field label="Email" name="email" type="email" value={email} readOnly autoComplete="username" />
      <Field label="Name" name="name" autoComplete="name" autoFocus error={errors.name} hint="Optional; shown to your team." defaultValue={values.name} />
      <Field label="Password" name="password" type="password" required autoComplete="new-password" error={errors.password} hint="At least 8 characters." />
      <SubmitButton className="w-full" pendingText="Creating account…">Create account and join</SubmitButton>
    </form>
  );
}
