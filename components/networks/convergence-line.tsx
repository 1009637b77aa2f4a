'use client';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { type Convergence, convergenceLine } from '@/lib/core/delivery/convergence';

/** At most this many lagging hosts are listed; the count says how many more. */
const shown = 5;

/**
 * "version N: applied by X of Y hosts, in Z s", refreshed live like the hosts table (a poll,
 * faster while the change is on its way), with the hosts behind after 10 s and why.
 */
/** The network's convergence, polled (faster while a change is on its way); one query the page's parts share. */
function useConvergence(networkId: string, initial: Convergence) {
  return useQuery({
    queryKey: ['convergence', networkId],
    queryFn: async () => {
      const res = await fetch(`/api/v1/networks/${networkId}/convergence`, { cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json() as Promise<Convergence>;
    },
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.complete ? 5000 : 1000),
  });
}

/** The network's current config version in its header, live like the line below (not the version the page was rendered at). */
export function LiveConfigVersion({ networkId, initial }: { networkId: string; initial: Convergence }) {
  const { data: c } = useConvergence(networkId, initial);
  return <span className="text-slate-500">config <span className="font-mono text-slate-800" data-testid="config-version">v{c.version}</span></span>;
}

export function ConvergenceLine({ networkId, basePath, initial }: { networkId: string; basePath: string; initial: Convergence }) {
  const { data: c, isError } = useConvergence(networkId, initial);
  const tone = c.complete ? 'text-emerald-700' : c.lagging.length > 0 ? 'text-red-700' : 'text-amber-800';
  return (
    <div className="border-b border-slate-100 px-4 py-2.5 text-sm sm:px-5" data-testid="convergence" aria-live="polite">
      <p className={`font-medium ${tone}`}>
        <span aria-hidden="true">{c.complete ? '✓ ' : '… '}</span>{convergenceLine(c)}
        {c.offline > 0 && <span className="font-normal text-slate-500"> · {c.offline} offline, catching up when they reconnect</span>}
        {isError && <span className="font-normal text-slate-500"> · could not refresh</span>}
      </p>
      {c.lagging.length > 0 && (
        <ul className="mt-1 space-y-0.5 text-xs" data-testid="convergence-lagging">
          {c.lagging.slice(0, shown).map((h) => (
            <li key={h.peerId} className="min-w-0 break-words">
              <Link href={`${basePath}/peers/${h.peerId}`} className="font-medium text-indigo-700 hover:underline">{h.name}</Link>
              <span className="text-slate-500"> still at v{h.appliedVersion}: </span><span className="text-red-700">{h.reason}</span>
            </li>
          ))}
          {c.lagging.length > shown && <li className="text-slate-500">and {c.lagging.length - shown} more behind</li>}
        </ul>
      )}
    </div>
  );
}
