'use client';
import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/button';
import { pushNowAction } from './actions';

/** "Push now" (admins): runs a worker round for this network and says what happened. */
export function PushNowButton({ networkId }: { networkId: string }) {
  const [state, action] = useActionState(pushNowAction, null);
  return (
    <form action={action} className="flex flex-col items-stretch gap-1 sm:items-end" aria-label="Push now">
      <input type="hidden" name="networkId" value={networkId} />
      <SubmitButton variant="secondary" pendingText="Pushing…" title="Send the current config to every host that is behind, now">
        Push now
      </SubmitButton>
      <p role="status" aria-live="polite" className="text-xs">
        {state?.ok && <span className="text-slate-600">{summary(state.data)}</span>}
        {state && !state.ok && <span className="text-red-700">{state.error}</span>}
      </p>
    </form>
  );
}

function summary({ claimed, applied, failed, configVersion }: { claimed: number; applied: number; failed: number; configVersion: number | null }) {
  if (claimed === 0) return `Every enrolled host already runs version ${configVersion ?? '?'}, or is being pushed by another round.`;
  const parts = [`${applied} of ${claimed} host${claimed === 1 ? '' : 's'} applied version ${configVersion ?? '?'}`];
  if (failed > 0) parts.push(`${failed} failed (see their last error; they are retried)`);
  return parts.join('; ') + '.';
}
