'use client';
import { useActionState } from 'react';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { createProjectAction } from './actions';

export function CreateProjectForm() {
  const [state, action] = useActionState(createProjectAction, null);
  const fieldError = state && !state.ok ? state.fieldErrors.name : undefined;
  return (
    <form action={action} className="flex flex-col gap-3 sm:flex-row sm:items-start" noValidate>
      <Field label="Project name" name="name" required maxLength={100} placeholder="production" error={fieldError} className="flex-1" />
      <SubmitButton className="sm:mt-6" pendingText="Creating…">Create project</SubmitButton>
      {state && !state.ok && !fieldError && <FormError message={state.error} />}
    </form>
  );
}
