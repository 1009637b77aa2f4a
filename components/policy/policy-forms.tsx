'use client';
import { startTransition, useActionState, useId, useState } from 'react';
import { useOnNewState } from '@/components/ui/typed-values';
import type { ActionResult } from '@/lib/server/actions/run-action';
import { SubmitButton } from '@/components/ui/button';
import { Field, FormError, inputClass } from '@/components/ui/field';
import { addPolicyRuleAction, checkReachabilityAction } from './actions';

export type SelectorOption = { value: string; label: string };

// Submitting through onSubmit rather than <form action>: React 19 resets a form after an
// action, which leaves these controlled selects showing their first option while the state
// (and the answer shown) says otherwise.
const submitWith = (action: (form: FormData) => void) => (e: React.FormEvent<HTMLFormElement>) => {
  e.preventDefault();
  const form = new FormData(e.currentTarget);
  startTransition(() => action(form));
};

function SelectorSelect({ name, label, options, error, value, onChange }: {
  name: string; label: string; options: SelectorOption[]; error?: string; value: string; onChange: (v: string) => void;
}) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error} className={inputClass(!!error)}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      {error && <p role="alert" className="mt-1 text-sm text-red-700">{error}</p>}
    </div>
  );
}

function ProtocolSelect({ value, onChange, withAny, error }: { value: string; onChange: (v: string) => void; withAny: boolean; error?: string }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">Protocol</label>
      <select id={id} name="protocol" value={value} onChange={(e) => onChange(e.target.value)} className={inputClass(!!error)}>
        {['tcp', 'udp', 'icmp', ...(withAny ? ['any'] : [])].map((p) => <option key={p} value={p}>{p}</option>)}
      </select>
      {error && <p role="alert" className="mt-1 text-sm text-red-700">{error}</p>}
    </div>
  );
}

/** Admins: an allow rule. Sources include devices; targets are members, processes and tags. */
export function AddPolicyRuleForm({ networkId, sources, targets }: { networkId: string; sources: SelectorOption[]; targets: SelectorOption[] }) {
  const [state, action, pending] = useActionState(addPolicyRuleAction, null);
  const [from, setFrom] = useState(sources[0]?.value ?? '');
  const [to, setTo] = useState(targets[0]?.value ?? '');
  const [protocol, setProtocol] = useState('tcp');
  const [ports, setPorts] = useState('');
  const [note, setNote] = useState('');
  useOnNewState(state, (s) => { if (s?.ok) { setPorts(''); setNote(''); } });
  const errors = state && !state.ok ? state.fieldErrors : {};
  return (
    <form onSubmit={submitWith(action)} noValidate aria-label="Add an allow rule" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_7rem_9rem_1fr_auto] lg:items-start">
      <input type="hidden" name="networkId" value={networkId} />
      <SelectorSelect name="from" label="From" options={sources} value={from} onChange={setFrom} error={errors.from} />
      <SelectorSelect name="to" label="To" options={targets} value={to} onChange={setTo} error={errors.to} />
      <ProtocolSelect value={protocol} onChange={setProtocol} withAny error={errors.protocol} />
      <Field label="Ports" name="ports" value={protocol === 'icmp' ? 'any' : ports} onChange={(e) => setPorts(e.target.value)} disabled={protocol === 'icmp'}
        placeholder="5432, 8000-8100, any" autoComplete="off" spellCheck={false} error={errors.ports} hint="Empty means any." />
      {protocol === 'icmp' && <input type="hidden" name="ports" value="any" />}
      <Field label="Note" name="note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={200} placeholder="postgres from the API" error={errors.note} />
      <SubmitButton className="lg:mt-6" disabled={pending} aria-busy={pending}>{pending ? 'Adding…' : 'Add rule'}</SubmitButton>
      {state && !state.ok && Object.keys(errors).length === 0 && <div className="sm:col-span-2 lg:col-span-6"><FormError message={state.error} /></div>}
    </form>
  );
}

type Answer = { allowed: boolean; reason: string; rule?: { id: string; from: string; to: string; protocol: string; ports: string; note: string } };

/** "Can X reach Y on port P/tcp?": allowed or denied, and the rule that decides. */
export function ReachabilityChecker({ networkId, sources, targets, labels }: {
  networkId: string; sources: SelectorOption[]; targets: SelectorOption[]; labels: Record<string, string>;
}) {
  const [state, action, pending] = useActionState<ActionResult | null, FormData>(checkReachabilityAction, null);
  const [from, setFrom] = useState(sources[0]?.value ?? '');
  const [to, setTo] = useState(targets[0]?.value ?? '');
  const [protocol, setProtocol] = useState('tcp');
  const [port, setPort] = useState('5432');
  const errors = state && !state.ok ? state.fieldErrors : {};
  const [asked, setAsked] = useState({ from, to, protocol, port });
  const answer = state?.ok ? (state.data as Answer) : null;
  const name = (s: string) => labels[s] ?? s;
  return (
    <form onSubmit={(e) => { setAsked({ from, to, protocol, port }); submitWith(action)(e); }} noValidate aria-label="Check reachability" className="space-y-3">
      <input type="hidden" name="networkId" value={networkId} />
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_7rem_7rem_auto] lg:items-start">
        <SelectorSelect name="from" label="Can" options={sources} value={from} onChange={setFrom} error={errors.from} />
        <SelectorSelect name="to" label="reach" options={targets} value={to} onChange={setTo} error={errors.to} />
        <ProtocolSelect value={protocol} onChange={setProtocol} withAny={false} error={errors.protocol} />
        <Field label="on port" name="port" value={protocol === 'icmp' ? '' : port} disabled={protocol === 'icmp'} onChange={(e) => setPort(e.target.value)}
          inputMode="numeric" autoComplete="off" error={errors.port} />
        <SubmitButton className="lg:mt-6" variant="secondary" disabled={pending} aria-busy={pending}>{pending ? 'Checking…' : 'Check'}</SubmitButton>
      </div>
      {answer && (
        <p role="status" data-testid="reachability" className={`rounded-md px-3 py-2 text-sm ring-1 ${answer.allowed ? 'bg-green-50 text-green-900 ring-green-200' : 'bg-red-50 text-red-900 ring-red-200'}`}>
          <strong>{answer.allowed ? 'Allowed' : 'Denied'}</strong>: {name(asked.from)} → {name(asked.to)}{asked.protocol === 'icmp' ? ' (icmp)' : ` on ${asked.port}/${asked.protocol}`}.{' '}
          {answer.rule
            ? <>Rule <code className="font-mono">{answer.rule.id}</code>: {name(answer.rule.from)} → {name(answer.rule.to)} {answer.rule.protocol} {answer.rule.ports}{answer.rule.note ? ` (${answer.rule.note})` : ''}.</>
            : answer.reason}
        </p>
      )}
      {state && !state.ok && Object.keys(errors).length === 0 && <FormError message={state.error} />}
    </form>
  );
}
