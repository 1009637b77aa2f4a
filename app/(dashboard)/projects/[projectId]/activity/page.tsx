import Link from 'next/link';
import type { Metadata } from 'next';
import { load } from '@/lib/server/actions/load';
import { listActivityOp } from '@/lib/server/audit/operations';
import { activityKinds, type ActivityKind, type Segment } from '@/lib/core/audit/describe';
import { idPattern } from '@/lib/core/ids';
import { Card, CardHeader, EmptyState } from '@/components/ui/card';
import { buttonClass } from '@/components/ui/button-class';
import { inputClass } from '@/components/ui/field';

export const metadata: Metadata = { title: 'Activity' };

type Search = { before?: string; actor?: string; kind?: string; resource?: string };

/** Only well-formed filters reach the gate: a hand-edited URL shows the whole log, not a 404. */
function filtersOf(s: Search) {
  return {
    actor: s.actor && idPattern.test(s.actor) ? s.actor : undefined,
    kind: s.kind && s.kind in activityKinds ? (s.kind as ActivityKind) : undefined,
    resource: s.resource && idPattern.test(s.resource) ? s.resource : undefined,
  };
}

export default async function ActivityPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<Search> }) {
  const { projectId } = await params;
  const search = await searchParams;
  const filters = filtersOf(search);
  const before = search.before && /^\d+$/.test(search.before) ? Number(search.before) : undefined;
  const page = await load(listActivityOp, { projectId, before, ...filters });
  const base = `/projects/${projectId}/activity`;
  const href = (extra: Record<string, string | undefined>) => {
    const q = new URLSearchParams(Object.entries({ ...filters, ...extra }).filter((e): e is [string, string] => !!e[1]));
    return q.size ? `${base}?${q}` : base;
  };
  const filtered = !!(filters.actor || filters.kind || filters.resource);
  return (
    <Card>
      <CardHeader title="Activity" description="Every change in this project: who, what, when, from where." />
      {/* Keyed by the filters: after a link changes them, the selects show the new ones. */}
      <form key={JSON.stringify(filters)} method="get" action={base} className="flex flex-wrap items-end gap-2 border-b border-slate-100 px-4 py-3 text-sm sm:px-5" aria-label="Filter the activity">
        <label className="grid gap-1">
          <span className="text-xs font-medium text-slate-600">Person</span>
          <select name="actor" defaultValue={filters.actor ?? ''} className={`${inputClass()} mt-0 w-56 max-w-full`}>
            <option value="">Everyone</option>
            {page.people.map((p) => <option key={p.id} value={p.id}>{p.email ?? p.id}</option>)}
          </select>
        </label>
        <label className="grid gap-1">
          <span className="text-xs font-medium text-slate-600">Resource</span>
          <select name="kind" defaultValue={filters.kind ?? ''} className={`${inputClass()} mt-0 w-40`}>
            <option value="">Everything</option>
            {Object.entries(activityKinds).map(([k, v]) => <option key={k} value={k}>{v.label}</option>)}
          </select>
        </label>
        {filters.resource && <input type="hidden" name="resource" value={filters.resource} />}
        <button type="submit" className={buttonClass('secondary', 'md')}>Filter</button>
        {filtered && <Link href={base} className="px-1 py-2 text-indigo-700 hover:underline">Clear filters</Link>}
        {filters.resource && (
          <p className="w-full text-xs text-slate-600">History of <code className="font-mono">{filters.resource}</code> only.</p>
        )}
      </form>
      {page.items.length === 0 ? (
        <EmptyState title={filtered ? 'Nothing matches' : 'Nothing yet'}>
          {filtered ? 'No change matches these filters.' : 'Changes to networks, members, the firewall and the team appear here.'}
        </EmptyState>
      ) : (
        <ol className="divide-y divide-slate-100" data-testid="activity">
          {page.items.map((e) => (
            <li key={e.id} className="grid gap-1 px-4 py-2.5 text-sm sm:grid-cols-[10.5rem_1fr_auto] sm:gap-4 sm:px-5">
              <time dateTime={e.createdAt.toISOString()} title={`${e.createdAt.toISOString()} (${e.action})`} className="text-slate-500 tabular-nums">
                {e.createdAt.toISOString().replace('T', ' ').slice(0, 16)} UTC
              </time>
              <p className="min-w-0 break-words">{e.sentence.map((s, i) => <Words key={i} segment={s} />)}</p>
              <span className="flex items-center gap-3 text-xs text-slate-500">
                {e.ip && <code className="font-mono">{e.ip}</code>}
                {filters.resource !== e.resourceId && <Link href={href({ resource: e.resourceId, before: undefined })} className="hover:text-indigo-700 hover:underline">history</Link>}
              </span>
            </li>
          ))}
        </ol>
      )}
      {(before || page.nextBefore) && (
        <div className="flex justify-between border-t border-slate-200 px-4 py-3 sm:px-5">
          {before ? <Link href={href({})} className={buttonClass('secondary', 'sm')}>Newest</Link> : <span />}
          {page.nextBefore && <Link href={href({ before: String(page.nextBefore) })} className={buttonClass('secondary', 'sm')}>Older →</Link>}
        </div>
      )}
    </Card>
  );
}

function Words({ segment: s }: { segment: Segment }) {
  const cls = s.mono ? 'font-mono text-[13px]' : '';
  if (s.href) return <Link href={s.href} className={`${cls} font-medium text-indigo-700 hover:underline`}>{s.text}</Link>;
  return s.mono ? <code className={`${cls} text-slate-800`}>{s.text}</code> : <>{s.text}</>;
}
