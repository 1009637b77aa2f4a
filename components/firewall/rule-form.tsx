'use client';
import { useActionState, useState } from 'react';
import { useOnNewState } from '@/components/ui/typed-values';
import { SubmitButton } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { addressCount, isBroad, parseRuleCidr } from '@/lib/core/firewall/schemas';
import { addRuleAction } from './actions';

/** Admins: a permanent rule. A range broader than /8 (IPv4) or /32 (IPv6) asks for a tick first. */
export function AddRuleForm({ networkId }: { networkId: string }) {
  const [state, action] = useActionState(addRuleAction, null);
  const [cidr, setCidr] = useState('');
  const [note, setNote] = useState('');
  useOnNewState(state, (s) => { if (s?.ok) { setCidr(''); setNote(''); } });
  const errors = state && !state.ok ? state.fieldErrors : {};
  // The same test the server applies; the server still decides, this only shows the box early.
  const parsed = parseRuleCidr(cidr);
  const broad = parsed && isBroad(parsed) ? parsed : null;
  const askConfirm = !!broad || !!errors.confirmBroad;
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-[minmax(0,14rem)_minmax(0,1fr)_auto] sm:items-start" noValidate aria-label="Add a permanent rule">
      <input type="hidden" name="networkId" value={networkId} />
      <Field label="Source CIDR" name="cidr" value={cidr} onChange={(e) => setCidr(e.target.value)} required maxLength={64}
        placeholder="203.0.113.0/24" autoComplete="off" spellCheck={false} error={errors.cidr} hint="An address alone means just that host." />
      <Field label="Note" name="note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={200} placeholder="office, CI runners…" error={errors.note} />
      <SubmitButton className="sm:mt-6" pendingText="Adding…">Add rule</SubmitButton>
      {askConfirm && (
        <div className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200 sm:col-span-3">
          <label className="flex items-start gap-2">
            <input type="checkbox" name="confirmBroad" className="mt-0.5 size-4 shrink-0 accent-amber-700" aria-describedby={errors.confirmBroad ? 'confirm-broad-error' : undefined} />
            <span>
              {broad ? <>This rule opens the WireGuard port to <strong>{addressCount(broad)}</strong> addresses ({broad.cidr}).</> : 'This is a broad rule.'}{' '}
              I confirm this is intended.
            </span>
          </label>
          {errors.confirmBroad && <p id="confirm-broad-error" role="alert" className="mt-1 text-red-700">Tick the box to add a rule this broad.</p>}
        </div>
      )}
      {state && !state.ok && Object.keys(errors).length === 0 && <div className="sm:col-span-3"><FormError message={state.error} /></div>}
    </form>
  );
}
