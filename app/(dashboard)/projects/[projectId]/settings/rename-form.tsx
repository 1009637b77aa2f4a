'use client';
import { useActionState } from 'react';
import { Field } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { renameProjectAction } from '../../actions';
import { useTypedValues } from '@/components/ui/typed-values';

export function RenameProjectForm({ projectId, name }: { projectId: string; name: string }) {
  const [state, action] = useActionState(renameProjectAction, null);
  const error = state && !state.ok ? (state.fieldErrors.name ?? state.error) : undefined;
  const typed = useTypedValues(state);
  return (
    <form action={action} onSubmit={typed.onSubmit} className="flex flex-col gap-3 sm:flex-row sm:items-start" noValidate>
      <input type="hidden" name="projectId" value={projectId} />
      <Field label="Project name" name="name" defaultValue={typed.value('name', name)} required maxLength={100} error={error} className="flex-1" />
      <SubmitButton className="sm:mt-6" pendingText="Saving…">Save</SubmitButton>
      {state?.ok && <p role="status" className="text-sm text-emerald-700 sm:mt-8">Saved.</p>}
    </form>
  );
}
