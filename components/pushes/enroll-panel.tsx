'use client';
import { useActionState, useSyncExternalStore } from 'react';
import { SubmitButton } from '@/components/ui/button';
import { Copyable, CopyButton } from '@/components/ui/copy';
import { enrollmentTokenAction } from './actions';

/**
 * "Enrol this host" (admins) on a peer's page: makes a one-time token and shows the agent
 * command that uses it. The token is shown once; pressing again makes a new one and the
 * old one stops working.
 */
const noSubscription = () => () => {};

export function EnrollPanel({ peerId, enrolled, listenPort = 51820 }: { peerId: string; enrolled: boolean; listenPort?: number }) {
  const [state, action] = useActionState(enrollmentTokenAction, null);
  const origin = useSyncExternalStore(noSubscription, () => window.location.origin, () => 'https://meshplane.example');
  const token = state?.ok ? state.data : null;
  const command = token
    ? `npx tsx agent/cli.ts enroll --server ${origin} --token ${token.token} --endpoint <this-host's-public-ip>:${listenPort}`
    : null;
  return (
    <div className="space-y-3">
      <form action={action} className="flex flex-wrap items-center gap-3" aria-label="Enrol this host">
        <input type="hidden" name="peerId" value={peerId} />
        <SubmitButton variant={enrolled ? 'secondary' : 'primary'} pendingText="Creating a token…">
          {enrolled ? 'Re-enrol this host' : 'Enrol this host'}
        </SubmitButton>
        <span className="text-sm text-slate-500">
          {enrolled ? 'The agent on this host is enrolled; re-enrolling replaces it (its key and state).' : 'Run the Meshplane agent on the host with a one-time token.'}
        </span>
      </form>
      {state && !state.ok && <p role="alert" className="text-sm text-red-700">{state.error}</p>}
      {token && command && (
        <div className="space-y-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
          <p className="text-sm text-slate-700">
            One-time token, valid until {new Date(token.expiresAt).toLocaleTimeString()} (shown once):
          </p>
          <div><Copyable value={token.token} label="the enrolment token" testId="enrollment-token" /></div>
          <p className="text-sm text-slate-700">On the host, as root, from a checkout of Meshplane (replace the endpoint with the address other hosts reach it at):</p>
          <CommandLine text={command} label="the enrol command" />
          <CommandLine text="npx tsx agent/cli.ts run" label="the run command" />
        </div>
      )}
    </div>
  );
}

function CommandLine({ text, label }: { text: string; label: string }) {
  return (
    <div className="flex items-start gap-1 rounded bg-slate-900 px-3 py-2">
      <code className="min-w-0 flex-1 break-all font-mono text-[13px] text-slate-100">{text}</code>
      <CopyButton value={text} label={label} />
    </div>
  );
}
