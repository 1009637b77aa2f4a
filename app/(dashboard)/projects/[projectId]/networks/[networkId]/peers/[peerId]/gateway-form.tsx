'use client';
import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/button';
import { setGatewayAction } from './actions';

/** One gateway per network: making this host the gateway takes the role from any other. */
export function GatewayForm({ peerId, isGateway, enrolled }: { peerId: string; isGateway: boolean; enrolled: boolean }) {
  const [state, action] = useActionState(setGatewayAction, null);
  return (
    <form action={action} className="flex flex-wrap items-center gap-3" aria-label="Gateway">
      <input type="hidden" name="peerId" value={peerId} />
      <input type="hidden" name="gateway" value={String(!isGateway)} />
      <SubmitButton variant="secondary" pendingText="Saving…" disabled={!isGateway && !enrolled}>
        {isGateway ? 'Stop being the gateway' : 'Make this host the gateway'}
      </SubmitButton>
      <span className="text-sm text-slate-500">
        {isGateway
          ? 'Devices reach every host of the network through this one.'
          : enrolled ? 'Devices then list only this host, and it forwards to the others.' : 'Enrol the agent on this host first: a gateway forwards traffic.'}
      </span>
      {state && !state.ok && <p role="alert" className="w-full text-sm text-red-700">{state.error}</p>}
    </form>
  );
}
