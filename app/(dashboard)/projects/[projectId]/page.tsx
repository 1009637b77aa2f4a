import Link from 'next/link';
import type { Metadata } from 'next';
import { load } from '@/lib/server/actions/load';
import { getProjectOp } from '@/lib/server/projects/operations';
import { listNetworksOp } from '@/lib/server/networks/operations';
import { can } from '@/lib/core/permissions';
import { Badge, Card, CardHeader, EmptyState } from '@/components/ui/card';
import { Copyable } from '@/components/ui/copy';
import { inputClass } from '@/components/ui/field';
import { buttonClass } from '@/components/ui/button-class';
import { CreateNetworkForm } from './networks/create-network-form';

export const metadata: Metadata = { title: 'Networks' };

export default async function NetworksPage({ params, searchParams }: {
  params: Promise<{ projectId: string }>; searchParams: Promise<{ tag?: string; q?: string }>;
}) {
  const { projectId } = await params;
  const { tag, q } = await searchParams;
  const [project, networks] = await Promise.all([load(getProjectOp, { projectId }), load(listNetworksOp, { projectId, tag, q })]);
  const canWrite = can(project.role, 'network.write');
  const filtered = !!(tag || q);
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader title="Private networks" description="Each network is one WireGuard mesh with its own CIDR and DNS zone." />
        <form className="flex flex-wrap gap-2 border-b border-slate-100 px-4 py-3 sm:px-5" role="search">
          <label className="sr-only" htmlFor="network-search">Search by label</label>
          <input id="network-search" name="q" defaultValue={q} placeholder="Search by label" className={`${inputClass()} mt-0 w-full sm:w-64`} />
          <label className="sr-only" htmlFor="network-tag">Filter by tag</label>
          <input id="network-tag" name="tag" defaultValue={tag} placeholder="Tag" className={`${inputClass()} mt-0 w-full sm:w-40`} />
          <button type="submit" className={buttonClass('secondary')}>Filter</button>
          {filtered && <Link href={`/projects/${projectId}`} className={buttonClass('ghost')}>Clear</Link>}
        </form>
        {networks.length === 0 ? (
          filtered ? <EmptyState title="No network matches" /> : (
            <EmptyState title="No networks yet">
              {canWrite ? 'Create one below: Meshplane picks a free /16 unless you choose a CIDR.' : 'An admin of this project can create one.'}
            </EmptyState>
          )
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
                <tr><th className="px-4 py-2 sm:px-5">Network</th><th className="px-3 py-2">CIDR</th><th className="px-3 py-2 text-right">Members</th><th className="px-3 py-2 text-right">Peers</th><th className="px-3 py-2">Tags</th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {networks.map((n) => (
                  <tr key={n.id} className="hover:bg-slate-50">
                    <td className="px-4 py-2.5 sm:px-5">
                      <Link href={`/projects/${projectId}/networks/${n.id}`} className="font-medium text-indigo-700 hover:underline">{n.label}</Link>
                      <div className="font-mono text-xs text-slate-500">{n.id}</div>
                    </td>
                    <td className="px-3 py-2.5 whitespace-nowrap"><Copyable value={n.cidr} label={`CIDR of ${n.label}`} /></td>
                    <td className="px-3 py-2.5 text-right tabular-nums">{n.memberCount}</td>
                    <td className="px-3 py-2.5 text-right tabular-nums">{n.peerCount}</td>
                    <td className="px-3 py-2.5"><div className="flex flex-wrap gap-1">{n.tags.map((t) => (
                      <Link key={t} href={`/projects/${projectId}?tag=${encodeURIComponent(t)}`}><Badge>{t}</Badge></Link>
                    ))}</div></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {canWrite && (
        <Card>
          <CardHeader title="New network" />
          <div className="p-4 sm:p-5"><CreateNetworkForm projectId={projectId} /></div>
        </Card>
      )}
    </div>
  );
}
