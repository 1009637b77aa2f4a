'use client';
import { useActionState, useState } from 'react';
import { Field, FormError, SelectField } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { createMemberAction } from '../actions';
import { useTypedValues } from '@/components/ui/typed-values';

const kinds = ['application', 'addon', 'external'] as const;

export function AddMemberForm({ projectId, networkId }: { projectId: string; networkId: string }) {
  const [state, action] = useActionState(createMemberAction, null);
  const [kind, setKind] = useState<(typeof kinds)[number]>('application');
  const errors = state && !state.ok ? state.fieldErrors : {};
  const typed = useTypedValues(state);
  const processError = Object.entries(errors).find(([k]) => k.startsWith('processes'))?.[1];
  return (
    <form action={action} onSubmit={typed.onSubmit} className="grid gap-4 sm:grid-cols-4" noValidate aria-label="Add a member">
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="networkId" value={networkId} />
      <SelectField label="Kind" name="kind" options={kinds} value={kind} onChange={(e) => setKind(e.target.value as typeof kind)} error={errors.kind} />
      <Field label="Label" name="label" defaultValue={typed.value('label')} required maxLength={100} placeholder={kind === 'application' ? 'api' : kind === 'addon' ? 'postgres' : 'office-server'} error={errors.label} className="sm:col-span-2" />
      <Field label="Tags" name="tags" defaultValue={typed.value('tags')} placeholder="optional" error={errors.tags} />
      {kind === 'application' ? (
        <>
          <Field label="web instances" name="process.web" type="number" min={0} max={1000} defaultValue={typed.value('process.web', '1')} inputMode="numeric" error={errors['processes.web']} />
          <Field label="Other process" name="processName" defaultValue={typed.value('processName')} placeholder="worker" hint="Optional: a DNS label." />
          <Field label="Its instances" name="processCount" type="number" min={0} max={1000} defaultValue={typed.value('processCount', '1')} inputMode="numeric" />
        </>
      ) : (
        <Field label="Instances" name="instances" type="number" min={0} max={1000} defaultValue={typed.value('instances', '1')} inputMode="numeric" error={errors.instances} />
      )}
      <div className="flex items-end"><SubmitButton pendingText="Adding…">Add member</SubmitButton></div>
      {state && !state.ok && (processError || Object.keys(errors).length === 0) && <div className="sm:col-span-4"><FormError message={processError ?? state.error} /></div>}
    </form>
  );
}
