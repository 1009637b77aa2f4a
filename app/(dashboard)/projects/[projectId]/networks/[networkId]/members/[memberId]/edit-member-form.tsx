'use client';
import { useActionState } from 'react';
import { Field, FormError } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { updateMemberAction } from '../../../actions';
import { useTypedValues } from '@/components/ui/typed-values';

export function EditMemberForm({ member, path }: { member: { id: string; label: string; tags: string[] }; path: string }) {
  const [state, action] = useActionState(updateMemberAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const typed = useTypedValues(state);
  return (
    <form action={action} onSubmit={typed.onSubmit} className="grid gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-start" noValidate>
      <input type="hidden" name="memberId" value={member.id} />
      <input type="hidden" name="path" value={path} />
      <Field label="Label" name="label" defaultValue={typed.value('label', member.label)} required maxLength={100} error={errors.label} />
      <Field label="Tags" name="tags" defaultValue={typed.value('tags', member.tags.join(', '))} error={errors.tags} hint="Comma-separated." />
      <SubmitButton className="sm:mt-6" variant="secondary" pendingText="Saving…">Save</SubmitButton>
      {state?.ok && <p role="status" className="text-sm text-emerald-700">Saved.</p>}
      {state && !state.ok && Object.keys(errors).length === 0 && <FormError message={state.error} />}
    </form>
  );
}
