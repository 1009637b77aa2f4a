import Link from 'next/link';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { load } from '@/lib/server/actions/load';
import { getNetworkOp, networkGatewayOp } from '@/lib/server/networks/operations';
import { listMembersOp } from '@/lib/server/members/operations';
import { listPeersOp } from '@/lib/server/peers/operations';
import { can } from '@/lib/core/permissions';
import { Badge, Card, CardHeader, EmptyState } from '@/components/ui/card';
import { Copyable } from '@/components/ui/copy';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { PeersTable } from '@/components/networks/peers-table';
import { deleteNetworkAction } from '../actions';
import { EditNetworkForm } from './edit-network-form';
import { GatewayCard } from './gateway-card';
import { AddMemberForm } from './add-member-form';
import { FirewallPanel } from '@/components/firewall/firewall-panel';
import { NetworkDevices } from '@/components/devices/network-devices';
import { PushNowButton } from '@/components/pushes/push-now-button';
import { PolicyPanel } from '@/components/policy/policy-panel';
import { memberPage } from '@/lib/core/networks/page-bounds';
import { PageLinks } from '@/components/ui/page-links';
import { ConvergenceLine, LiveConfigVersion } from '@/components/networks/convergence-line';
import { networkConvergenceOp } from '@/lib/server/delivery/operations';

export const metadata: Metadata = { title: 'Network' };

export default async function NetworkPage({ params, searchParams }: {
  params: Promise<{ projectId: string; networkId: string }>; searchParams: Promise<{ members?: string | string[] }>;
}) {
  const { projectId, networkId } = await params;
  const asked = (await searchParams).members;
  const [network, members, peers, gateway, convergence] = await Promise.all([
    load(getNetworkOp, { networkId }), load(listMembersOp, { networkId }), load(listPeersOp, { networkId, limit: 100 }),
    load(networkGatewayOp, { networkId }), load(networkConvergenceOp, { networkId }),
  ]);
  if (network.projectId !== projectId) notFound(); // a real network under another project's path
  const canWrite = can(network.role, 'network.write');
  const base = `/projects/${projectId}/networks/${networkId}`;
  const peerCount = members.reduce((s, m) => s + m.instances, 0);
  // One page of members: the page stays the same size however many members there are.
  const shown = memberPage(asked, members.length);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3 pt-1">
        <div className="min-w-0 space-y-1">
          <h2 className="text-xl font-semibold break-all">{network.label}</h2>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
            <Copyable value={network.id} label="network id" />
            <span className="inline-flex items-center gap-1"><span className="text-slate-500">CIDR</span><Copyable value={network.cidr} label="CIDR" /></span>
            <LiveConfigVersion networkId={networkId} initial={convergence} />
            {network.tags.map((t) => <Badge key={t}>{t}</Badge>)}
          </div>
          {network.description && <p className="max-w-2xl text-sm text-slate-600">{network.description}</p>}
        </div>
        {canWrite && (
          <ConfirmForm action={deleteNetworkAction} hidden={{ projectId, networkId }} trigger="Delete network" typeToConfirm={network.label}
            title={`Delete ${network.label}?`} confirmLabel="Delete forever"
            consequences={<ul className="list-disc space-y-1 pl-5">
              <li>{members.length} {members.length === 1 ? 'member' : 'members'} and {peerCount} {peerCount === 1 ? 'host' : 'hosts'} are deleted; their addresses and names stop resolving.</li>
              <li>Devices lose their address in {network.cidr}; firewall rules and leases are deleted.</li>
            </ul>} />
        )}
      </div>

      <Card>
        <CardHeader title="Members" description="Applications, addons and external servers in this network." />
        {members.length === 0 ? (
          <EmptyState title="No members yet">{canWrite ? 'Add an application, an addon or an external server below.' : 'An admin can add members.'}</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {members.slice(shown.from, shown.to).map((m) => (
              <li key={m.id}>
                <Link href={`${base}/members/${m.id}`} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 hover:bg-slate-50 sm:px-5">
                  <span className="min-w-0 basis-full truncate font-medium text-slate-900 sm:basis-auto sm:flex-1">{m.label}</span>
                  <Badge tone={m.kind === 'application' ? 'indigo' : m.kind === 'addon' ? 'green' : 'amber'}>{m.kind}</Badge>
                  <code className="font-mono text-xs text-slate-500">{m.id}</code>
                  <span className="text-sm text-slate-600">
                    {m.processes ? Object.entries(m.processes).map(([p, n]) => `${p}×${n}`).join(' · ') || 'no processes' : `${m.instances} ${m.instances === 1 ? 'instance' : 'instances'}`}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        <PageLinks slice={shown} total={members.length} noun="members" href={(n) => `${base}?members=${n}`} label="Members pages" />
        {canWrite && (
          <details className="group border-t border-slate-200" open={members.length === 0}>
            <summary className="cursor-pointer list-none px-4 py-3 text-sm font-medium text-indigo-700 hover:bg-slate-50 sm:px-5">
              <span className="group-open:hidden">+ Add a member</span><span className="hidden group-open:inline">Add a member</span>
            </summary>
            <div className="px-4 pb-4 sm:px-5 sm:pb-5"><AddMemberForm projectId={projectId} networkId={networkId} /></div>
          </details>
        )}
      </Card>

      <Card>
        <CardHeader title="Hosts" description="Every instance: its private IP, its DNS names and the state of its config."
          actions={canWrite ? <PushNowButton networkId={networkId} /> : undefined} />
        <ConvergenceLine networkId={networkId} basePath={base} initial={convergence} />
        <PeersTable networkId={networkId} basePath={base} initial={peers} />
      </Card>

      <GatewayCard projectId={projectId} networkId={networkId} basePath={base} autoGateway={gateway.autoGateway} gateway={gateway.gateway} canWrite={canWrite} />

      <PolicyPanel networkId={networkId} />

      <NetworkDevices networkId={networkId} />

      <FirewallPanel networkId={networkId} />

      {canWrite && (
        <Card>
          <CardHeader title="Edit network" description="The CIDR cannot change." />
          <div className="p-4 sm:p-5"><EditNetworkForm projectId={projectId} network={network} /></div>
        </Card>
      )}
    </div>
  );
}
