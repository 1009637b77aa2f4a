'use client';
import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { setPolicyModeAction } from './actions';

/** Back to open: widens access, so no dialog; the page states what open means next to it. */
export function OpenNetworkForm({ networkId }: { networkId: string }) {
  const [state, action] = useActionState(setPolicyModeAction, null);
  return (
    <form action={action} className="flex flex-col items-end gap-1">
      <input type="hidden" name="networkId" value={networkId} />
      <input type="hidden" name="mode" value="open" />
      <SubmitButton variant="secondary" size="sm" pendingText="Opening…">Switch to open</SubmitButton>
      {state && !state.ok && <FormError message={state.error} />}
    </form>
  );
}
