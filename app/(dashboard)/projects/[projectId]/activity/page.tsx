import Link from 'next/link';
import type { Metadata } from 'next';
import { load } from '@/lib/actions/load';
import { listActivityOp } from '@/lib/audit/operations';
import { Card, CardHeader, EmptyState } from '@/components/ui/card';
import { buttonClass } from '@/components/ui/button-class';

export const metadata: Metadata = { title: 'Activity' };

export default async function ActivityPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<{ before?: string }> }) {
  const { projectId } = await params;
  const { before } = await searchParams;
  const page = await load(listActivityOp, { projectId, before: before ? Number(before) : undefined });
  return (
    <Card>
      <CardHeader title="Activity" description="Every change in this project: who, what, when, from where." />
      {page.items.length === 0 ? (
        <EmptyState title="Nothing yet">Changes to networks, members, the firewall and the team appear here.</EmptyState>
      ) : (
        <ol className="divide-y divide-slate-100">
          {page.items.map((e) => (
            <li key={e.id} className="grid gap-1 px-4 py-2.5 text-sm sm:grid-cols-[11rem_1fr_auto] sm:gap-4 sm:px-5">
              <time dateTime={e.createdAt.toISOString()} className="text-slate-500 tabular-nums">{e.createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>
              <span className="min-w-0">
                <span className="font-medium">{e.actorEmail ?? 'system'}</span>{' '}
                <code className="rounded bg-slate-100 px-1 font-mono text-xs">{e.action}</code>{' '}
                <code className="font-mono text-xs text-slate-600 break-all">{e.resourceId}</code>
                {e.details && <span className="block truncate text-xs text-slate-500" title={JSON.stringify(e.details)}>{summarize(e.details)}</span>}
              </span>
              <code className="font-mono text-xs text-slate-500">{e.ip ?? ''}</code>
            </li>
          ))}
        </ol>
      )}
      {(before || page.nextBefore) && (
        <div className="flex justify-between border-t border-slate-200 px-4 py-3 sm:px-5">
          {before ? <Link href={`/projects/${projectId}/activity`} className={buttonClass('secondary', 'sm')}>Newest</Link> : <span />}
          {page.nextBefore && <Link href={`/projects/${projectId}/activity?before=${page.nextBefore}`} className={buttonClass('secondary', 'sm')}>Older →</Link>}
        </div>
      )}
    </Card>
  );
}

function summarize(details: Record<string, unknown>) {
  return Object.entries(details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
}
