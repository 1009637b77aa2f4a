'use client';
import { useActionState } from 'react';
import { roles, type Role } from '@/lib/core/permissions';
import { Field, FormError, SelectField } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/button';
import { Copyable } from '@/components/ui/copy';
import { createInvitationAction, renewInvitationAction } from '../../actions';

type Link = { email: string; url: string; expiresAt: Date };

function NewLink({ link, verb }: { link: Link; verb: string }) {
  return (
    <div role="status" className="rounded-md bg-emerald-50 p-3 text-sm ring-1 ring-emerald-200">
      <p className="mb-1 font-medium text-emerald-900">{verb} {link.email}. Send them this link: it works once, until {new Date(link.expiresAt).toISOString().slice(0, 10)}, and is not shown again.</p>
      <span data-testid="invitation-url"><Copyable value={link.url} label="invitation link" /></span>
    </div>
  );
}

/** Invite an email address; admins may not invite owners, so they are not offered the role. */
export function InviteForm({ projectId, myRole }: { projectId: string; myRole: Role }) {
  const [state, action] = useActionState(createInvitationAction, null);
  const errors = state && !state.ok ? state.fieldErrors : {};
  const offered = myRole === 'owner' ? roles : roles.filter((r) => r !== 'owner');
  return (
    <div className="space-y-3">
      {state?.ok && <NewLink link={state.data} verb="Invited" />}
      <form action={action} className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-start" noValidate>
        <input type="hidden" name="projectId" value={projectId} />
        <Field label="Email to invite" name="email" type="email" required error={errors.email} placeholder="newcomer@example.com" id="invite-email" />
        <SelectField label="Role on joining" name="role" options={offered} defaultValue="developer" error={errors.role} id="invite-role" />
        <SubmitButton className="sm:mt-6" pendingText="Inviting…">Create invitation link</SubmitButton>
        {state && !state.ok && !errors.email && !errors.role && <div className="sm:col-span-3"><FormError message={state.error} /></div>}
      </form>
    </div>
  );
}

/** The link of a pending invitation cannot be shown again (only its hash is kept): this makes a new one. */
export function RenewForm({ projectId, invitationId }: { projectId: string; invitationId: string }) {
  const [state, action] = useActionState(renewInvitationAction, null);
  // In the row's wrapping flex: the button beside Revoke, the new link on a line of its own below.
  return (
    <>
      <form action={action}>
        <input type="hidden" name="projectId" value={projectId} />
        <input type="hidden" name="invitationId" value={invitationId} />
        <SubmitButton variant="secondary" size="sm" pendingText="Making…">New link</SubmitButton>
      </form>
      {state && (
        <div className="order-last basis-full">
          {state.ok ? <NewLink link={state.data} verb="A new link for" /> : <FormError message={state.error} />}
        </div>
      )}
    </>
  );
}
