'use client';
import { useActionState } from 'react';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { updateNetworkAction } from '../actions';
import { useTypedValues } from '@/components/ui/typed-values';

type Props = { projectId: string; network: { id: string; label: string; description: string; tags: string[] } };

export function EditNetworkForm({ projectId, network }: Props) {
  const [state, action] = useActionState(updateNetworkAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const typed = useTypedValues(state);
  return (
    <form action={action} onSubmit={typed.onSubmit} className="grid gap-4 sm:grid-cols-2" noValidate>
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="networkId" value={network.id} />
      <Field label="Label" name="label" defaultValue={typed.value('label', network.label)} required maxLength={100} error={errors.label} />
      <Field label="Tags" name="tags" defaultValue={typed.value('tags', network.tags.join(', '))} error={errors.tags} hint="Comma-separated." />
      <Field label="Description" name="description" defaultValue={typed.value('description', network.description)} maxLength={1000} error={errors.description} className="sm:col-span-2" />
      <div className="flex items-center gap-3">
        <SubmitButton variant="secondary" pendingText="Saving…">Save changes</SubmitButton>
        {state?.ok && <span role="status" className="text-sm text-emerald-700">Saved.</span>}
      </div>
      {state && !state.ok && Object.keys(errors).length === 0 && <FormError message={state.error} />}
    </form>
  );
}
