'use client';
import { useActionState } from 'react';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { Copyable } from '@/components/ui/copy';
import { createApiTokenAction } from './actions';
import { useTypedValues } from '@/components/ui/typed-values';

export function CreateTokenForm() {
  const [state, action] = useActionState(createApiTokenAction, null);
  const error = state && !state.ok ? (state.fieldErrors.name ?? state.error) : undefined;
  const typed = useTypedValues(state);
  return (
    <div className="space-y-3">
      {state?.ok && (
        <div role="status" className="rounded-md bg-emerald-50 p-3 text-sm ring-1 ring-emerald-200">
          <p className="mb-1 font-medium text-emerald-900">Token “{state.data.name}” created. Copy it now: it is not shown again.</p>
          <span data-testid="new-token"><Copyable value={state.data.token} label="API token" /></span>
        </div>
      )}
      <form action={action} onSubmit={typed.onSubmit} className="flex flex-col gap-3 sm:flex-row sm:items-start" noValidate>
        <Field label="Token name" name="name" defaultValue={typed.value('name')} required maxLength={100} placeholder="ci-deploy" error={error} className="flex-1" />
        <SubmitButton className="sm:mt-6" pendingText="Creating…">Create token</SubmitButton>
      </form>
      {state && !state.ok && !state.fieldErrors.name && <FormError message={state.error} />}
    </div>
  );
}
