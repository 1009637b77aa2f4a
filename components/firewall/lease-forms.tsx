'use client';
import { useActionState, useState } from 'react';
import { useOnNewState } from '@/components/ui/typed-values';
import { SubmitButton } from '@/components/ui/button';
import { Field, FormError } from '@/components/ui/field';
import { leaseNowAction, renewLeaseAction } from './actions';

/** "Lease Now": opens the hosts to the caller's current IP for 24 hours (renews if already leased). */
export function LeaseNowForm({ networkId, renews }: { networkId: string; renews: boolean }) {
  const [state, action] = useActionState(leaseNowAction, null);
  return (
    <form action={action} className="flex flex-col items-stretch gap-2 sm:items-end" aria-label="Lease Now">
      <input type="hidden" name="networkId" value={networkId} />
      <SubmitButton pendingText="Leasing…" title={renews ? 'Your IP already has a lease: this renews it for 24 hours' : 'Open the hosts to your current IP for 24 hours'}>
        Lease Now
      </SubmitButton>
      {state && !state.ok && <div className="max-w-sm"><FormError message={state.error} /></div>}
    </form>
  );
}

/** Renew: the lease ends 24 hours from now. */
export function RenewForm({ leaseId, ip }: { leaseId: string; ip: string }) {
  const [state, action] = useActionState(renewLeaseAction, null);
  return (
    <form action={action}>
      <input type="hidden" name="leaseId" value={leaseId} />
      <SubmitButton variant="secondary" size="sm" pendingText="Renewing…" aria-label={`Renew the lease of ${ip}`}>Renew</SubmitButton>
      {state && !state.ok && <p role="alert" className="mt-1 text-xs text-red-700">{state.error}</p>}
    </form>
  );
}

/** Admins: lease a stated address, e.g. a colleague's who cannot reach the dashboard. */
export function LeaseIpForm({ networkId }: { networkId: string }) {
  const [state, action] = useActionState(leaseNowAction, null);
  const [ip, setIp] = useState('');
  useOnNewState(state, (s) => { if (s?.ok) setIp(''); });
  const error = state && !state.ok ? state.fieldErrors.ip ?? state.error : undefined;
  return (
    <form action={action} className="flex flex-col gap-3 sm:flex-row sm:items-start" noValidate aria-label="Lease an IP address">
      <input type="hidden" name="networkId" value={networkId} />
      <Field label="Lease an IP address for 24 hours" name="ip" value={ip} onChange={(e) => setIp(e.target.value)} required maxLength={64}
        placeholder="203.0.113.7" autoComplete="off" spellCheck={false} error={error} className="sm:w-80" />
      <SubmitButton variant="secondary" className="sm:mt-6" pendingText="Leasing…">Lease this IP</SubmitButton>
    </form>
  );
}
