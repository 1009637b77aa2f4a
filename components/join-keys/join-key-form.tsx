'use client';
import { useActionState } from 'react';
import { SubmitButton } from '@/components/ui/button';
import { Field, FormError, SelectField } from '@/components/ui/field';
import { Copyable, CopyButton } from '@/components/ui/copy';
import { createJoinKeyAction } from './actions';

/**
 * "New join key" (admins): the options of POST /members/{id}/join-keys, then the key, shown
 * once, with the commands that use it. Without MESHPLANE_PUBLIC_URL the commands are not
 * shown: the browser's address may be one a host cannot reach.
 */
export function JoinKeyForm({ memberId, processes, publicUrl }: { memberId: string; processes: string[] | null; publicUrl: string | null }) {
  const [state, action] = useActionState(createJoinKeyAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const made = state?.ok ? state.data : null;
  const processFlag = made?.process && made.process !== 'instance' ? ` --process ${made.process}` : '';
  return (
    <div className="space-y-4">
      <form action={action} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label="New join key">
        <input type="hidden" name="memberId" value={memberId} />
        {processes && <SelectField label="Process" name="process" options={['', ...processes]} error={errors.process} />}
        <Field label="Expires in (days)" name="expiresInDays" type="number" min={1} max={365} defaultValue={30} error={errors.expiresInHours} />
        <Field label="Uses" name="maxUses" type="number" min={1} placeholder="unlimited" error={errors.maxUses} />
        <Field label="Autoscale up to (instances)" name="maxInstances" type="number" min={1} placeholder="no limit" error={errors.maxInstances} hint="Only with autoscale." />
        <label className="flex items-center gap-2 text-sm text-slate-700"><input type="checkbox" name="autoscale" /> Autoscale: add an instance when none is free</label>
        <label className="flex items-center gap-2 text-sm text-slate-700"><input type="checkbox" name="ephemeral" /> Ephemeral: release instances offline for long</label>
        <div className="sm:col-span-2 lg:col-span-3"><SubmitButton pendingText="Creating…">Create join key</SubmitButton></div>
      </form>
      {state && !state.ok && Object.keys(errors).length === 0 && <FormError message={state.error} />}
      {made && (
        <div className="space-y-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200" data-testid="new-join-key">
          <p className="text-sm text-slate-700">The join key, shown once (only its hash is kept):</p>
          <div><Copyable value={made.key} label="the join key" testId="join-key" /></div>
          {publicUrl ? (
            <>
              <p className="text-sm text-slate-700">Install the agent on a host and join, as root:</p>
              <CommandLine text={`curl -fsSL ${publicUrl}/agent/install.sh | sudo sh -s -- --key ${made.key}`} label="the install command" />
              <p className="text-sm text-slate-700">Or, where the agent is installed already (a container entrypoint may use MESHPLANE_SERVER and MESHPLANE_JOIN_KEY instead):</p>
              <CommandLine text={`meshplane-agent join --server ${publicUrl} --key ${made.key}${processFlag}`} label="the join command" />
            </>
          ) : (
            <p role="status" className="text-sm text-amber-800">
              The operator has not set MESHPLANE_PUBLIC_URL, the address hosts reach this control plane at, so no command can be shown:
              set it and reload, or run <code className="font-mono">meshplane-agent join --server &lt;address hosts reach&gt; --key …</code>.
            </p>
          )}
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
