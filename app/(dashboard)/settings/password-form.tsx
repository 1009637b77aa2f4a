'use client';
import { useActionState } from 'react';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { changePasswordAction } from './actions';

export function PasswordForm() {
  const [state, action] = useActionState(changePasswordAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={action} className="grid gap-3 sm:max-w-md" noValidate>
      {state && !state.ok && !errors.currentPassword && !errors.newPassword && <FormError message={state.error} />}
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={errors.currentPassword} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required error={errors.newPassword} hint="At least 8 characters." />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText="Changing…">Change password</SubmitButton>
        {state?.ok && (
          <p role="status" className="text-sm text-emerald-700">
            Password changed. {describeEnded((state.data as { sessionsEnded: number }).sessionsEnded)}
          </p>
        )}
      </div>
    </form>
  );
}

function describeEnded(n: number) {
  if (n === 0) return 'You had no other sessions.';
  return `${n} other session${n === 1 ? '' : 's'} signed out.`;
}
