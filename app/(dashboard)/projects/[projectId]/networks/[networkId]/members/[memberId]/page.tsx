import Link from 'next/link';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { load } from '@/lib/server/actions/load';
import { listPolicyRulesOp } from '@/lib/server/policy/operations';
import { getMemberOp, memberDomainNamesOp } from '@/lib/server/members/operations';
import { can } from '@/lib/core/permissions';
import { hostEnv } from '@/lib/core/protocol/host-config';
import { Badge, Card, CardHeader, EmptyState } from '@/components/ui/card';
import { Copyable } from '@/components/ui/copy';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { PeersTable } from '@/components/networks/peers-table';
import { deleteMemberAction } from '../../../actions';
import { ScaleForm, AddProcessForm } from './scale-forms';
import { EditMemberForm } from './edit-member-form';
import { listJoinKeysOp } from '@/lib/server/join-keys/operations';
import { publicUrl } from '@/lib/server/public-url';
import { JoinKeysPanel } from '@/components/join-keys/join-keys-panel';

export const metadata: Metadata = { title: 'Member' };

export default async function MemberPage({ params }: { params: Promise<{ projectId: string; networkId: string; memberId: string }> }) {
  const { projectId, networkId, memberId } = await params;
  const [member, names] = await Promise.all([load(getMemberOp, { memberId }), load(memberDomainNamesOp, { memberId })]);
  // Access-policy rules naming this member (or one of its processes) are deleted with it.
  const ownRules = (await load(listPolicyRulesOp, { networkId: member.networkId }))
    .filter((r) => [r.from, r.to].some((s) => s === memberId || s.startsWith(`${memberId}/`))).length;
  if (member.networkId !== networkId) notFound(); // a real member under another network's path
  const canWrite = can(member.role, 'network.write');
  const networkPath = `/projects/${projectId}/networks/${networkId}`;
  const path = `${networkPath}/members/${memberId}`;
  const joinKeys = canWrite ? (await load(listJoinKeysOp, { memberId })).items : [];
  const scalable = member.processes ? Object.entries(member.processes) : [['', member.instances] as [string, number]];
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <Link href={networkPath} className="text-sm text-slate-500 hover:text-slate-800">← Network</Link>
          <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1">
            <h2 className="text-xl font-semibold break-all">{member.label}</h2>
            <Badge tone={member.kind === 'application' ? 'indigo' : member.kind === 'addon' ? 'green' : 'amber'}>{member.kind}</Badge>
            <Copyable value={member.id} label="member id" />
            {member.tags.map((t) => <Badge key={t}>{t}</Badge>)}
          </div>
        </div>
        {canWrite && (
          <ConfirmForm action={deleteMemberAction} hidden={{ projectId, networkId, memberId }} trigger="Delete member"
            title={`Delete ${member.label}?`} confirmLabel="Delete member"
            consequences={<p>Its {member.peers.length} {member.peers.length === 1 ? 'host' : 'hosts'} leave the network: their addresses are released (after a cool-down) and {names.length} DNS {names.length === 1 ? 'name stops' : 'names stop'} resolving.{ownRules > 0 ? ` ${ownRules} access-policy ${ownRules === 1 ? 'rule that names it is' : 'rules that name it are'} deleted too.` : ''}</p>} />
        )}
      </div>

      <Card>
        <CardHeader title={member.processes ? 'Processes' : 'Instances'} description="Scaling adds or removes hosts; the highest numbers go first." />
        <ul className="divide-y divide-slate-100">
          {scalable.length === 0 && <li className="px-4 py-3 text-sm text-slate-500 sm:px-5">No processes: add one below.</li>}
          {scalable.map(([name, count]) => (
            <li key={name} className="flex flex-wrap items-center gap-3 px-4 py-3 sm:px-5">
              <span className="min-w-24 font-mono text-sm font-medium">{name || 'instances'}</span>
              {canWrite ? <ScaleForm memberId={memberId} process={name} count={count} path={path} /> : <span className="tabular-nums">{count}</span>}
              <InstanceStates peers={member.peers.filter((p) => p.process === (name || 'instance'))} />
            </li>
          ))}
        </ul>
        {canWrite && member.processes && <div className="border-t border-slate-200 p-4 sm:p-5"><AddProcessForm memberId={memberId} path={path} /></div>}
      </Card>

      <Card>
        <CardHeader title="Domain names" description="Resolved by the agents' DNS on every host of this network." />
        {names.length === 0 ? <EmptyState title="No names: scale up to get instances." /> : (
          <ul className="divide-y divide-slate-100" data-testid="domain-names">
            {names.map((n) => (
              <li key={n.name} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 px-4 py-2 sm:px-5">
                <Copyable value={n.name} />
                <span className="flex flex-wrap gap-x-3">{n.addresses.map((a) => <Copyable key={a} value={a} />)}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card>
        <CardHeader title="Hosts" />
        <PeersTable networkId={networkId} memberId={memberId} basePath={networkPath} initial={{ items: member.peers.slice(0, 100), nextAfter: member.peers.length > 100 ? member.peers[99].ip : null }} />
      </Card>

      {member.peers[0] && (
        <Card>
          <CardHeader title="Environment" description="The agent writes these to an env file on each host; shown here for the first instance." />
          <pre className="overflow-x-auto p-4 font-mono text-[13px] sm:p-5">{Object.entries(hostEnv(member.networkId, member.peers[0])).map(([k, v]) => `${k}=${v}`).join('\n')}</pre>
        </Card>
      )}

      {canWrite && <JoinKeysPanel memberId={memberId} processes={member.processes ? Object.keys(member.processes) : null} keys={joinKeys} publicUrl={publicUrl()} />}

      {canWrite && (
        <Card>
          <CardHeader title="Edit member" />
          <div className="p-4 sm:p-5"><EditMemberForm member={member} path={path} /></div>
        </Card>
      )}
    </div>
  );
}

/** A process's instances by state: enrolled (and of those, online) or not enrolled. */
function InstanceStates({ peers }: { peers: { number: number; publicKey: string | null; online: boolean }[] }) {
  return (
    <span className="flex flex-wrap gap-1" data-testid="instance-states">
      {peers.map((p) => {
        const state = !p.publicKey ? 'not enrolled' : p.online ? 'online' : 'enrolled';
        return <Badge key={p.number} tone={state === 'online' ? 'green' : state === 'enrolled' ? 'indigo' : undefined}>{`${p.number}: ${state}`}</Badge>;
      })}
    </span>
  );
}
