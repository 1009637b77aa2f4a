import { ConfirmForm } from '@/components/ui/confirm-form';
import { Copyable } from '@/components/ui/copy';
import { deleteRuleAction } from './actions';
import type { FirewallView } from './firewall-panel';

/** Permanent rules: CIDR, note, who added it and when; delete behind a confirmation (admins). */
export function RuleList({ view, admin }: { view: FirewallView; admin: boolean }) {
  return (
    <section aria-labelledby="rules-heading" className="border-t border-slate-200">
      <h3 id="rules-heading" className="px-4 pt-4 text-sm font-semibold text-slate-900 sm:px-5">Permanent rules</h3>
      {view.rules.length === 0 ? (
        <p className="px-4 pt-1 pb-4 text-sm text-slate-500 sm:px-5">
          No permanent rules.{admin ? ' Add one below for an office or a CI range.' : ''}
        </p>
      ) : (
        <ul className="mt-2 divide-y divide-slate-100 border-t border-slate-100">
          {view.rules.map((r) => (
            <li key={r.id} data-testid="rule" className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 sm:px-5">
              <div className="min-w-0 flex-1 basis-56">
                <div className="flex flex-wrap items-baseline gap-x-3">
                  <Copyable value={r.cidr} label={`rule ${r.cidr}`} />
                  {r.note && <span className="text-sm break-words text-slate-700">{r.note}</span>}
                </div>
                <p className="truncate text-xs text-slate-500">
                  added by {r.createdBy ? r.createdBy.name || r.createdBy.email : 'a deleted user'} on{' '}
                  <time dateTime={r.createdAt.toISOString()}>{r.createdAt.toISOString().slice(0, 10)}</time>
                </p>
              </div>
              {admin && (
                <ConfirmForm action={deleteRuleAction} hidden={{ ruleId: r.id }} size="sm" trigger="Delete"
                  title={`Delete the rule ${r.cidr}?`} confirmLabel="Delete rule"
                  consequences={<p>Hosts stop accepting WireGuard from {r.cidr} at the next push, unless a lease or another rule covers it.</p>} />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
