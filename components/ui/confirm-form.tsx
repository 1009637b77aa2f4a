'use client';
import { useActionState, useId, useRef, useState } from 'react';
import type { ActionResult } from '@/lib/server/actions/run-action';
import { Button, SubmitButton } from './button';
import { FormError } from './field';

type Props = {
  action: (prev: ActionResult | null, form: FormData) => Promise<ActionResult>;
  hidden: Record<string, string>;
  trigger: string;
  title: string;
  /** What will be lost, in plain words. */
  consequences: React.ReactNode;
  /** When set, the user must type this to confirm (for deletions that take a lot with them). */
  typeToConfirm?: string;
  confirmLabel?: string;
  pendingText?: string;
  size?: 'sm' | 'md';
};

/** A destructive action behind a dialog that names what is lost. Escape or Cancel closes it. */
export function ConfirmForm({ action, hidden, trigger, title, consequences, typeToConfirm, confirmLabel, pendingText = 'Working…', size = 'md' }: Props) {
  const titleId = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [state, formAction] = useActionState(action, null);
  return (
    <>
      <Button variant="danger" size={size} onClick={() => dialog.current?.showModal()}>{trigger}</Button>
      <dialog ref={dialog} aria-labelledby={titleId} className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/50">
        <form action={formAction} className="space-y-4 p-5">
          {Object.entries(hidden).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
          <h2 id={titleId} className="text-lg font-semibold">{title}</h2>
          <div className="text-sm text-slate-600">{consequences}</div>
          {typeToConfirm && (
            <label className="block text-sm">
              Type <code className="rounded bg-slate-100 px-1 font-mono">{typeToConfirm}</code> to confirm
              <input autoFocus value={typed} onChange={(e) => setTyped(e.target.value)} aria-label={`Type ${typeToConfirm} to confirm`}
                className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm" />
            </label>
          )}
          {state && !state.ok && <FormError message={state.error} />}
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>Cancel</Button>
            <SubmitButton variant="danger" disabled={!!typeToConfirm && typed !== typeToConfirm} pendingText={pendingText}>
              {confirmLabel ?? trigger}
            </SubmitButton>
          </div>
        </form>
      </dialog>
    </>
  );
}
