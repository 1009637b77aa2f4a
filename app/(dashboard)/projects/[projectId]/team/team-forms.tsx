'use client';
import { useActionState, useRef, useState } from 'react';
import { useOnNewState } from '@/components/ui/typed-values';
import { roles, type Role } from '@/lib/core/permissions';
import { Field, FormError, SelectField, inputClass } from '@/components/ui/field';
import { SubmitButton, Spinner } from '@/components/ui/button';
import { addTeamMemberAction, changeRoleAction } from '../../actions';

export function AddTeamMemberForm({ projectId }: { projectId: string }) {
  const [state, action] = useActionState(addTeamMemberAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-start" noValidate>
      <input type="hidden" name="projectId" value={projectId} />
      <Field label="Email" name="email" type="email" required error={errors.email} placeholder="teammate@example.com" />
      <SelectField label="Role" name="role" options={roles} defaultValue="developer" error={errors.role} />
      <SubmitButton className="sm:mt-6" pendingText="Adding…">Add to team</SubmitButton>
      {state && !state.ok && !errors.email && !errors.role && <div className="sm:col-span-3"><FormError message={state.error} /></div>}
      {state?.ok && <p role="status" className="text-sm text-emerald-700 sm:col-span-3">Added.</p>}
    </form>
  );
}

/** Changes the role as soon as another is picked; refusals (last owner) show beside it. */
export function RoleSelect({ projectId, userId, role, email }: { projectId: string; userId: string; role: Role; email: string }) {
  const [state, action, pending] = useActionState(changeRoleAction, null);
  const form = useRef<HTMLFormElement>(null);
  const [value, setValue] = useState(role);
  // A refused change (the last owner) puts the select back to the role that still holds.
  useOnNewState(state, (s) => { if (s && !s.ok) setValue(role); });
  return (
    <form ref={form} action={action} className="flex items-center gap-2">
      <input type="hidden" name="projectId" value={projectId} />
      <input type="hidden" name="userId" value={userId} />
      <label className="sr-only" htmlFor={`role-${userId}`}>Role of {email}</label>
      <select id={`role-${userId}`} name="role" value={value} disabled={pending}
        onChange={(e) => { setValue(e.target.value as Role); setTimeout(() => form.current?.requestSubmit()); }} className={`${inputClass()} mt-0 w-32`}>
        {roles.map((r) => <option key={r} value={r}>{r}</option>)}
      </select>
      {pending && <Spinner />}
      {!pending && state?.ok && <span role="status" className="text-xs text-emerald-700">Saved</span>}
      {state && !state.ok && <p role="alert" className="max-w-56 text-sm text-red-700">{state.error}</p>}
    </form>
  );
}
