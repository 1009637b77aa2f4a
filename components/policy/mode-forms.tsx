'use client';
import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import type { CutFlows, Flow } from '@/lib/core/policy/cut-flows';
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

/** In the "Isolate?" dialog: the flows seen recently that isolation cuts or narrows (lib/policy/cut-flows.ts). */
export function CutFlowsList({ flows }: { flows: CutFlows }) {
  const pair = (f: Flow) => `${f.fromLabel} → ${f.toLabel}`;
  if (flows.active === 0 && !flows.devicesActive) {
    return <li>No host reported a handshake in the last 3 minutes, so no current flow is known.</li>;
  }
  return (
    <>
      <li data-testid="cut-flows">
        {flows.cut.length === 0 ? 'No current flow between active members is cut: rules allow each one.' : (
          <>Current flows this cuts (both ends shook hands in the last 3 minutes, no rule allows them):
            <ul className="mt-1 list-none space-y-0.5 pl-0">
              {flows.cut.map((f) => <li key={`${f.from}>${f.to}`} className="font-medium break-words text-red-800">{pair(f)}</li>)}
            </ul>
          </>
        )}
      </li>
      {flows.narrowed.length > 0 && (
        <li data-testid="narrowed-flows">Narrowed to what rules allow:
          <ul className="mt-1 list-none space-y-0.5 pl-0">
            {flows.narrowed.map((f) => <li key={`${f.from}>${f.to}`} className="break-words">{pair(f)}: only {f.allowed.join(', ')}</li>)}
          </ul>
        </li>
      )}
      {flows.unknown > 0 && <li>{flows.unknown} {flows.unknown === 1 ? 'member has' : 'members have'} no recent handshake: what {flows.unknown === 1 ? 'it talks' : 'they talk'} to is not known.</li>}
    </>
  );
}
