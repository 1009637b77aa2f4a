import type { Metadata } from 'next';
import { load } from '@/lib/server/actions/load';
import { listApiTokensOp } from '@/lib/server/tokens/operations';
import { requireUser } from '@/lib/server/auth/session';
import { Card, CardHeader, EmptyState } from '@/components/ui/card';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { Copyable } from '@/components/ui/copy';
import { CreateTokenForm } from './create-token-form';
import { revokeApiTokenAction, signOutEverywhereAction } from './actions';
import { PasswordForm } from './password-form';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await requireUser();
  const tokens = await load(listApiTokensOp, {});
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
      <Card>
        <CardHeader title="Account" />
        <dl className="grid gap-3 p-4 text-sm sm:grid-cols-[8rem_1fr] sm:p-5">
          <dt className="text-slate-500">Email</dt><dd className="break-all">{user.email}</dd>
          <dt className="text-slate-500">Name</dt><dd>{user.name || '—'}</dd>
          <dt className="text-slate-500">Handle</dt><dd><Copyable value={user.handle} label="handle" /> <span className="text-xs text-slate-500">used in your devices&apos; DNS names</span></dd>
        </dl>
      </Card>
      <Card>
        <CardHeader title="Password" description="Changing it signs you out on every other browser; this one stays signed in." />
        <div className="p-4 sm:p-5">
          {user.passwordHash ? <PasswordForm /> : <p className="text-sm text-slate-600">You sign in with single sign-on: your password is managed there.</p>}
        </div>
      </Card>
      <Card>
        <CardHeader title="Sessions" description="Every browser where you are signed in. API tokens are not sessions: revoke them below." />
        <div className="flex flex-wrap items-center gap-3 p-4 sm:p-5">
          <p className="min-w-0 flex-1 text-sm text-slate-600">Lost a device, or signed in somewhere you should not have?</p>
          <ConfirmForm action={signOutEverywhereAction} hidden={{}} trigger="Sign out everywhere" confirmLabel="Sign out everywhere"
            pendingText="Signing out…" title="Sign out everywhere?"
            consequences={<p>Every browser signed in as {user.email} is signed out at once, this one too. You can sign in again with your password.</p>} />
        </div>
      </Card>
      <Card>
        <CardHeader title="API tokens" description="A token acts as you, with your roles, on the HTTP API (Authorization: Bearer …)." />
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens">Create one for a script or CI job. It is shown once.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {tokens.map((t) => (
              <li key={t.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 sm:px-5" data-testid={`token-${t.name}`}>
                <span className="min-w-0 flex-1 truncate font-medium">{t.name}</span>
                <span className="text-xs text-slate-500">created {t.createdAt.toISOString().slice(0, 10)} · {t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never used'}</span>
                <ConfirmForm action={revokeApiTokenAction} hidden={{ tokenId: t.id }} size="sm" trigger="Revoke" confirmLabel="Revoke token"
                  title={`Revoke “${t.name}”?`} consequences={<p>Scripts using this token get 401 from now on.</p>} />
              </li>
            ))}
          </ul>
        )}
        <div className="border-t border-slate-200 p-4 sm:p-5"><CreateTokenForm /></div>
      </Card>
    </div>
  );
}
