'use client';
import { useActionState } from 'react';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { createProjectAction } from './actions';
import { useTypedValues } from '@/components/ui/typed-values';

export function CreateProjectForm() {
  const [state, action] = useActionState(createProjectAction, null);
  const fieldError = state && !state.ok ? state.fieldErrors.name : undefined;
  const typed = useTypedValues(state);
  return (
    <form action={action} onSubmit={typed.onSubmit} className="flex flex-col gap-3 sm:flex-row sm:items-start" noValidate>
      <Field label="Project name" name="name" defaultValue={typed.value('name')} required maxLength={100} placeholder="production" error={fieldError} className="flex-1" />
      <SubmitButton className="sm:mt-6" pendingText="Creating…">Create project</SubmitButton>
      {state && !state.ok && !fieldError && <FormError message={state.error} />}
    </form>
  );
}
