import { ConfirmForm } from '@/components/ui/confirm-form';
import { Copyable } from '@/components/ui/copy';
import { Badge } from '@/components/ui/card';
import { Countdown } from './countdown';
import { RenewForm } from './lease-forms';
import { revokeLeaseAction } from './actions';
import type { FirewallView } from './firewall-panel';

/** Active leases: the IP, who leased it, a live countdown, Renew and Revoke (developers and above). */
export function LeaseList({ view, developer }: { view: FirewallView; developer: boolean }) {
  const serverNow = view.now.toISOString();
  return (
    <section aria-labelledby="leases-heading">
      <h3 id="leases-heading" className="px-4 pt-4 text-sm font-semibold text-slate-900 sm:px-5">
        Leases <span className="font-normal text-slate-500">· 24 hours each, closed by the hosts themselves when they end</span>
      </h3>
      {view.leases.length === 0 ? (
        <p className="px-4 pt-1 pb-4 text-sm text-slate-500 sm:px-5">No active leases.</p>
      ) : (
        <ul className="mt-2 divide-y divide-slate-100 border-t border-slate-100">
          {view.leases.map((l) => {
            const mine = l.user?.id === view.you.userId;
            const here = l.ip === view.you.ip;
            return (
              <li key={l.id} data-testid="lease" className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-5">
                <div className="min-w-0 flex-1 basis-48">
                  <div className="flex flex-wrap items-center gap-2">
                    <Copyable value={l.ip} label={`leased IP ${l.ip}`} />
                    {here && <Badge tone="indigo">your IP</Badge>}
                  </div>
                  <p className="truncate text-xs text-slate-500">
                    leased by {l.user ? (mine ? 'you' : l.user.name || l.user.email) : 'a deleted user'}
                    {l.user && !mine && l.user.name ? <span className="hidden sm:inline"> ({l.user.email})</span> : null}
                  </p>
                </div>
                <div className="flex items-center gap-3">
                  <span className="text-xs text-slate-500">ends in</span>
                  <Countdown expiresAt={l.expiresAt.toISOString()} serverNow={serverNow} />
                </div>
                {developer && (
                  <div className="flex items-center gap-2">
                    {l.canRenew && <RenewForm leaseId={l.id} ip={l.ip} />}
                    <ConfirmForm action={revokeLeaseAction} hidden={{ leaseId: l.id }} size="sm" trigger="Revoke"
                      title={`Revoke the lease of ${l.ip}?`} confirmLabel="Revoke lease"
                      consequences={<p>Hosts stop accepting WireGuard from <code className="font-mono">{l.ip}</code> at the next push; open connections from it stop working.</p>} />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
