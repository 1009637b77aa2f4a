import { ConfirmForm } from '@/components/ui/confirm-form';
import { Card, CardHeader, EmptyState } from '@/components/ui/card';
import { describeJoinKey } from '@/lib/core/join-keys/describe';
import type { JoinKeyView } from '@/lib/server/join-keys/join-keys';
import { revokeJoinKeyAction } from './actions';
import { JoinKeyForm } from './join-key-form';

/** The member page's join keys (admins): the form, then each key as what it may do, with revoke. */
export function JoinKeysPanel({ memberId, processes, keys, publicUrl }: { memberId: string; processes: string[] | null; keys: JoinKeyView[]; publicUrl: string | null }) {
  return (
    <Card>
      <CardHeader title="Join keys" description="Reusable keys hosts join this member with, no one-time token per instance: meshplane-agent join." />
      <div className="border-b border-slate-200 p-4 sm:p-5"><JoinKeyForm memberId={memberId} processes={processes} publicUrl={publicUrl} /></div>
      {keys.length === 0 ? <EmptyState title="No join keys yet." /> : (
        <ul className="divide-y divide-slate-100" data-testid="join-keys">
          {keys.map((k) => (
            <li key={k.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5">
              <div className="min-w-0">
                <p className={`text-sm ${k.revokedAt ? 'text-slate-400 line-through' : 'text-slate-800'}`}>{describeJoinKey(k)}</p>
                <p className="text-xs text-slate-500">
                  <code className="font-mono">{k.id}</code> · last used {k.lastUsedAt ? new Date(k.lastUsedAt).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'never'}
                </p>
              </div>
              {!k.revokedAt && (
                <ConfirmForm action={revokeJoinKeyAction} hidden={{ joinKeyId: k.id }} trigger="Revoke" size="sm" title="Revoke this join key?" confirmLabel="Revoke"
                  consequences={<p>No host can join with it any more. Hosts that joined with it stay.</p>} />
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
