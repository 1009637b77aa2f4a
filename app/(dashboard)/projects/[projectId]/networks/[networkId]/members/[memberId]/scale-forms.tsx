'use client';
import { useActionState, useEffect, useId, useRef, useState } from 'react';
import { Field, FormError, inputClass } from '@/components/ui/field';
import { Button, SubmitButton } from '@/components/ui/button';
import { scaleMemberAction } from '../../../actions';

/**
 * One process's instance count; `process` "" means an addon's or external's instances.
 * Scaling to 0 removes every instance, so it asks first; the typed count survives an error.
 */
export function ScaleForm({ memberId, process, count, path }: { memberId: string; process: string; count: number; path: string }) {
  const [state, action] = useActionState(scaleMemberAction, null);
  const [value, setValue] = useState(String(count));
  const [prevCount, setPrevCount] = useState(count);
  if (count !== prevCount) { setPrevCount(count); setValue(String(count)); } // a scale that landed
  const form = useRef<HTMLFormElement>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const confirmed = useRef(false);
  const titleId = useId();
  const label = process ? `Instances of ${process}` : 'Instances';
  const what = process || 'this member';

  function onSubmit(e: React.FormEvent) {
    if (value.trim() === '0' && count > 0 && !confirmed.current) {
      e.preventDefault();
      dialog.current?.showModal();
    }
    confirmed.current = false;
  }
  function confirm() {
    confirmed.current = true;
    dialog.current?.close();
    form.current?.requestSubmit();
  }
  useEffect(() => { if (state) confirmed.current = false; }, [state]);

  return (
    <form ref={form} action={action} onSubmit={onSubmit} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="memberId" value={memberId} />
      <input type="hidden" name="process" value={process} />
      <input type="hidden" name="path" value={path} />
      <label className="sr-only" htmlFor={`scale-${process || 'instances'}`}>{label}</label>
      <input id={`scale-${process || 'instances'}`} name="count" type="number" min={0} max={1000} value={value} onChange={(e) => setValue(e.target.value)} inputMode="numeric"
        className={`${inputClass(!!(state && !state.ok))} mt-0 w-24 tabular-nums`} />
      <SubmitButton variant="secondary" size="sm" pendingText="Scaling…">Scale</SubmitButton>
      {state && !state.ok && <p role="alert" className="text-sm text-red-700">{state.error}</p>}
      <dialog ref={dialog} aria-labelledby={titleId} className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/50">
        <div className="space-y-4 p-5">
          <h2 id={titleId} className="text-lg font-semibold">Scale {what} to 0?</h2>
          <p className="text-sm text-slate-600">
            {count === 1 ? 'Its instance is' : `All ${count} instances are`} removed: the hosts leave the network at the next push,
            their addresses are released and their names stop resolving.
          </p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>Cancel</Button>
            <Button variant="danger" onClick={confirm}>Scale to 0</Button>
          </div>
        </div>
      </dialog>
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
