'use client';
import { useActionState } from 'react';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { createNetworkAction } from './actions';
import { useTypedValues } from '@/components/ui/typed-values';

export function CreateNetworkForm({ projectId }: { projectId: string }) {
  const [state, action] = useActionState(createNetworkAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const typed = useTypedValues(state);
  return (
    <form action={action} onSubmit={typed.onSubmit} className="grid gap-4 sm:grid-cols-2" noValidate>
      <input type="hidden" name="projectId" value={projectId} />
      <Field label="Label" name="label" defaultValue={typed.value('label')} required maxLength={100} placeholder="production" error={errors.label} />
      <Field label="CIDR" name="cidr" defaultValue={typed.value('cidr')} placeholder="automatic (next free /16)" error={errors.cidr}
        hint="Optional. RFC 1918 or 100.64.0.0/10, /16 to /28." className="font-mono" />
      <Field label="Description" name="description" defaultValue={typed.value('description')} maxLength={1000} error={errors.description} className="sm:col-span-2" />
      <Field label="Tags" name="tags" defaultValue={typed.value('tags')} placeholder="prod, eu" error={errors.tags} hint="Comma-separated." />
      <div className="flex items-end"><SubmitButton pendingText="Creating…">Create network</SubmitButton></div>
      {state && !state.ok && Object.keys(errors).length === 0 && <div className="sm:col-span-2"><FormError message={state.error} /></div>}
    </form>
  );
}
