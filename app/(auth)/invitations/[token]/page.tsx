import { notFound } from 'next/navigation';
import type { Metadata } from 'next';
import { getDb } from '@/lib/server/db/client';
import { optionalUser } from '@/lib/server/auth/session';
import { viewInvitation, type InvitationView } from '@/lib/server/invitations/invitations';
import { AppError } from '@/lib/server/errors';
import { signOutAction } from '../../actions';
import { SubmitButton } from '@/components/ui/button';
import { AcceptForm, NewAccountForm, SignInAcceptForm } from './invitation-forms';

export const metadata: Metadata = { title: 'Invitation', referrer: 'no-referrer' };

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  let invitation: InvitationView;
  try {
    invitation = await viewInvitation(await getDb(), token);
  } catch (error) {
    // Used, revoked, expired or made up: one answer, with a real 404 status (./not-found.tsx).
    if (error instanceof AppError && error.status === 404) notFound();
    throw error;
  }
  const user = await optionalUser();
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Join {invitation.projectName}</h1>
      <p className="mb-4 text-sm text-slate-600">
        {invitation.invitedBy ? <>{invitation.invitedBy} invited </> : 'You are invited: '}
        <strong className="break-all font-medium text-slate-900">{invitation.email}</strong> as <strong className="font-medium text-slate-900">{invitation.role}</strong>.
        {' '}The link works once, until {invitation.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.
      </p>
      {user && user.email === invitation.email ? (
        <AcceptForm token={token} />
      ) : user ? (
        <div className="space-y-3 text-sm">
          <p role="alert" className="rounded-md bg-amber-50 p-3 text-amber-900 ring-1 ring-amber-200">
            You are signed in as <span className="break-all">{user.email}</span>. This invitation is for another address: sign out, then open the link again.
          </p>
          <form action={signOutAction}><SubmitButton variant="secondary">Sign out</SubmitButton></form>
        </div>
      ) : invitation.accountExists ? (
        <SignInAcceptForm token={token} email={invitation.email} />
      ) : (
        <NewAccountForm token={token} email={invitation.email} />
      )}
    </>
  );
}
