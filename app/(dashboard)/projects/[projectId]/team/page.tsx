import type { Metadata } from 'next';
import { load } from '@/lib/server/actions/load';
import { getProjectOp, listTeamOp } from '@/lib/server/projects/operations';
import { can, isLastOwner } from '@/lib/core/permissions';
import { Card, CardHeader, Badge, EmptyState } from '@/components/ui/card';
import { AddTeamMemberForm, RoleSelect } from './team-forms';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { removeTeamMemberAction } from '../../actions';
import { requireUser } from '@/lib/server/auth/session';
import { listInvitationsOp } from '@/lib/server/invitations/operations';
import { InviteForm, RenewForm } from './invitation-forms';
import { revokeInvitationAction } from '../../actions';

export const metadata: Metadata = { title: 'Team' };

export default async function TeamPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const [project, team, me] = await Promise.all([load(getProjectOp, { projectId }), load(listTeamOp, { projectId }), requireUser()]);
  const manage = can(project.role, 'project.manage');
  const invite = can(project.role, 'team.invite');
  const pending = invite ? await load(listInvitationsOp, { projectId }) : [];
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader title="Team" description="Owners manage the team; admins build networks; developers get access; viewers look." />
        <ul className="divide-y divide-slate-100">
          {team.map((m) => (
            <li key={m.userId} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-5" data-testid={`team-${m.email}`}>
              <div className="min-w-0 flex-1 basis-full sm:basis-0">
                <p className="font-medium break-words [overflow-wrap:anywhere]">{m.name || m.email}{m.userId === me.id && <span className="ml-2 text-xs text-slate-500">(you)</span>}</p>
                <p className="text-sm break-words text-slate-500 [overflow-wrap:anywhere]">{m.email} · <code className="font-mono">{m.handle}</code></p>
              </div>
              {manage && isLastOwner(team, m) ? (
                <span className="flex flex-wrap items-center gap-2"><Badge tone="indigo">owner</Badge><span className="text-xs text-slate-500">the only owner: make someone else owner to change this</span></span>
              ) : manage ? (
                <>
                  <RoleSelect projectId={projectId} userId={m.userId} role={m.role} email={m.email} />
                  <ConfirmForm action={removeTeamMemberAction} hidden={{ projectId, userId: m.userId }} size="sm"
                    trigger="Remove" title={`Remove ${m.email}?`} confirmLabel="Remove from team"
                    consequences={<p>They lose access to every network of this project; their devices are removed from its hosts at the next push.</p>} />
                </>
              ) : (
                <Badge tone={m.role === 'owner' ? 'indigo' : 'slate'}>{m.role}</Badge>
              )}
            </li>
          ))}
        </ul>
      </Card>
      {invite && (
        <Card>
          <CardHeader title="Invite by email" description="A one-time link to join with a role, valid 7 days. There is no mail: copy the link and send it yourself." />
          <div className="p-4 sm:p-5"><InviteForm projectId={projectId} myRole={project.role!} /></div>
          <div className="border-t border-slate-200">
            <h3 className="px-4 pt-4 text-sm font-medium text-slate-700 sm:px-5">Pending invitations</h3>
            {pending.length === 0 ? (
              <EmptyState title="No pending invitations">Links that were used, revoked or have expired are not listed.</EmptyState>
            ) : (
              <ul className="divide-y divide-slate-100">
                {pending.map((i) => (
                  <li key={i.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-5" data-testid={`invitation-${i.email}`}>
                    {/* On a phone the address takes its own line, the buttons the next. */}
                    <div className="min-w-0 basis-full sm:flex-1 sm:basis-auto">
                      <p className="flex min-w-0 flex-wrap items-center gap-2"><span className="min-w-0 font-medium [overflow-wrap:anywhere]">{i.email}</span><Badge tone="slate">{i.role}</Badge></p>
                      <p className="text-xs text-slate-500">{i.invitedBy ? `by ${i.invitedBy} · ` : ''}expires {i.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</p>
                    </div>
                    <RenewForm projectId={projectId} invitationId={i.id} />
                    <ConfirmForm action={revokeInvitationAction} hidden={{ projectId, invitationId: i.id }} size="sm"
                      trigger="Revoke" title={`Revoke the invitation for ${i.email}?`} confirmLabel="Revoke invitation"
                      consequences={<p>The link stops working at once. You can invite them again later.</p>} />
                  </li>
                ))}
              </ul>
            )}
          </div>
        </Card>
      )}
      {manage && (
        <Card>
          <CardHeader title="Add someone with an account" description="Adds a person who already uses this Meshplane, at once." />
          <div className="p-4 sm:p-5"><AddTeamMemberForm projectId={projectId} /></div>
        </Card>
      )}
    </div>
  );
}
