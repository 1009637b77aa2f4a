'use client';
import { useActionState } from 'react';
import { Field, FormError, inputClass } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { scaleMemberAction } from '../../../actions';

/** One process's instance count; `process` "" means an addon's or external's instances. */
export function ScaleForm({ memberId, process, count, path }: { memberId: string; process: string; count: number; path: string }) {
  const [state, action] = useActionState(scaleMemberAction, null);
  const label = process ? `Instances of ${process}` : 'Instances';
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="memberId" value={memberId} />
      <input type="hidden" name="process" value={process} />
      <input type="hidden" name="path" value={path} />
      <label className="sr-only" htmlFor={`scale-${process || 'instances'}`}>{label}</label>
      <input id={`scale-${process || 'instances'}`} name="count" type="number" min={0} max={1000} defaultValue={count} key={count} inputMode="numeric"
        className={`${inputClass(!!(state && !state.ok))} mt-0 w-24 tabular-nums`} />
      <SubmitButton variant="secondary" size="sm" pendingText="Scaling…">Scale</SubmitButton>
      {state && !state.ok && <p role="alert" className="text-sm text-red-700">{state.error}</p>}
    </form>
  );
}

export function AddProcessForm({ memberId, path }: { memberId: string; path: string }) {
  const [state, action] = useActionState(scaleMemberAction, null);
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-[1fr_8rem_auto] sm:items-start" aria-label="Add a process">
      <input type="hidden" name="memberId" value={memberId} />
      <input type="hidden" name="path" value={path} />
      <Field label="New process" name="process" placeholder="worker" required className="font-mono" />
      <Field label="Instances" name="count" type="number" min={1} max={1000} defaultValue={1} inputMode="numeric" />
      <SubmitButton className="sm:mt-6" variant="secondary" pendingText="Adding…">Add process</SubmitButton>
      {state && !state.ok && <div className="sm:col-span-3"><FormError message={state.error} /></div>}
    </form>
  );
}
