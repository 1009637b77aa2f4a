'use client';
import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/button';
import { Copyable, CopyButton } from '@/components/ui/copy';
import { enrollmentTokenAction } from './actions';

/**
 * "Enrol this host" (admins) on a peer's page: makes a one-time token and shows the commands
 * that install the agent on the host and enrol it with that token. The token is shown once;
 * pressing again makes a new one and the old one stops working. The commands use the address
 * hosts reach Meshplane at (MESHPLANE_PUBLIC_URL, `publicUrl`), never the browser's: when it
 * is unset the panel says so instead of showing a command.
 */
export function EnrollPanel({ peerId, enrolled, listenPort = 51820, publicUrl }: { peerId: string; enrolled: boolean; listenPort?: number; publicUrl: string | null }) {
  const [state, action] = useActionState(enrollmentTokenAction, null);
  const token = state?.ok ? state.data : null;
  const endpoint = `<this-host's-public-ip>:${listenPort}`;
  return (
    <div className="space-y-3">
      <form action={action} className="flex flex-wrap items-center gap-3" aria-label="Enrol this host">
        <input type="hidden" name="peerId" value={peerId} />
        <SubmitButton variant={enrolled ? 'secondary' : 'primary'} pendingText="Creating a token…">
          {enrolled ? 'Re-enrol this host' : 'Enrol this host'}
        </SubmitButton>
        <span className="text-sm text-slate-500">
          {enrolled ? 'The agent on this host is enrolled; re-enrolling replaces it (its key and state).' : 'Install the Meshplane agent on the host with a one-time token.'}
        </span>
      </form>
      {!publicUrl && <PublicUrlUnset />}
      {state && !state.ok && <p role="alert" className="text-sm text-red-700">{state.error}</p>}
      {token && (
        <div className="space-y-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
          <p className="text-sm text-slate-700">
            One-time token, valid until {new Date(token.expiresAt).toLocaleTimeString()} (shown once):
          </p>
          <div><Copyable value={token.token} label="the enrolment token" testId="enrollment-token" /></div>
          {publicUrl && (
            <>
              <p className="text-sm text-slate-700">
                On the host (needs Node.js 20+, wg, ip, nft), replacing the endpoint with the address other hosts reach it at. It checks the tools, downloads and verifies the agent, enrols and starts the systemd service <code className="font-mono text-[13px]">meshplane-agent</code>:
              </p>
              <CommandLine text={`curl -fsSL ${publicUrl}/agent/install.sh | sudo sh -s -- --token ${token.token} --endpoint ${endpoint}`} label="the install command" testId="install-command" />
              <p className="text-sm text-slate-700">Without systemd, add <code className="font-mono text-[13px]">--no-systemd</code> and run the agent with your own supervisor; or by hand:</p>
              <CommandLine text={`curl -fsSLO ${publicUrl}/agent/meshplane-agent.mjs && sudo node meshplane-agent.mjs enroll --server ${publicUrl} --token ${token.token} --endpoint ${endpoint}`} label="the enrol command" />
              <CommandLine text="sudo node meshplane-agent.mjs run" label="the run command" />
            </>
          )}
        </div>
      )}
    </div>
  );
}

function PublicUrlUnset() {
  return (
    <p role="note" data-testid="public-url-unset" className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
      No install command: this Meshplane does not know the address hosts reach it at. Set{' '}
      <code className="font-mono text-[13px]">MESHPLANE_PUBLIC_URL</code> to it (for example{' '}
      <code className="font-mono text-[13px]">https://mesh.example.com</code>, the URL of this control plane as seen from the hosts, not <code className="font-mono text-[13px]">localhost</code>) and restart Meshplane.
    </p>
  );
}

function CommandLine({ text, label, testId }: { text: string; label: string; testId?: string }) {
  return (
    <div className="flex items-start gap-1 rounded bg-slate-900 px-3 py-2" data-testid={testId}>
      <code className="min-w-0 flex-1 break-all font-mono text-[13px] text-slate-100">{text}</code>
      <CopyButton value={text} label={label} />
    </div>
  );
}
