'use client';
import Link from 'next/link';
import { memo, useEffect, useState } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PeerPage, PresentedPeer } from '@/lib/server/peers/peers';
import { Copyable } from '@/components/ui/copy';
import { Badge, EmptyState } from '@/components/ui/card';
import { Button } from '@/components/ui/button';
import { inputClass } from '@/components/ui/field';
import { PeerStatus } from './peer-status';

const pageSize = 100;

async function fetchPeers(networkId: string, memberId: string | undefined, q: string, after: string | null): Promise<PeerPage> {
  const params = new URLSearchParams({ limit: String(pageSize) });
  if (memberId) params.set('memberId', memberId);
  if (q) params.set('q', q);
  if (after) params.set('after', after);
  const res = await fetch(`/api/v1/networks/${networkId}/peers?${params}`, { cache: 'no-store' });
  if (!res.ok) throw new Error((await res.json().catch(() => null))?.error?.message ?? `HTTP ${res.status}`);
  return res.json();
}

/** Hosts of a network: searched and paged on the server, refreshed every few seconds. */
export function PeersTable({ networkId, basePath, initial, memberId }: { networkId: string; basePath: string; initial: PeerPage; memberId?: string }) {
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // A short pause only coalesces a burst of keys: the server search is cheap and the answer is due within 100 ms.
  useEffect(() => { const t = setTimeout(() => { setDebounced(q.trim()); setCursors([null]); }, 40); return () => clearTimeout(t); }, [q]);
  const after = cursors[cursors.length - 1];
  const queryClient = useQueryClient();
  // A server re-render (after scaling, say) brings fresher rows than the last poll: use them at once.
  const signature = initial.items.map((p) => `${p.id}:${p.pushState}:${p.appliedVersion}:${p.desiredVersion}`).join();
  useEffect(() => {
    queryClient.setQueryData(['peers', networkId, memberId, '', null], initial);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `signature` stands for `initial`, a new object at every render even when its rows are the same
  }, [signature]);
  const query = useQuery({
    queryKey: ['peers', networkId, memberId, debounced, after],
    queryFn: () => fetchPeers(networkId, memberId, debounced, after),
    initialData: !debounced && !after ? initial : undefined,
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  const page = query.data;
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-100 px-4 py-3 sm:px-5">
        <label htmlFor={`peer-search-${networkId}`} className="sr-only">Search hosts by IP or name</label>
        <input id={`peer-search-${networkId}`} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search by IP or name"
          className={`${inputClass()} mt-0 w-full font-mono sm:w-72`} />
        {query.isFetching && <span className="text-xs text-slate-500" aria-live="polite">Refreshing…</span>}
        {query.isError && <span role="alert" className="text-xs text-red-700">Could not refresh: {(query.error as Error).message}</span>}
      </div>
      {!page || page.items.length === 0 ? (
        <EmptyState title={debounced ? 'No host matches' : 'No hosts yet'}>{debounced ? 'Try part of an IP or a name.' : 'Add a member or scale one up: each instance is a host with its own IP and names.'}</EmptyState>
      ) : (
        <PeerRows items={page.items} basePath={basePath} />
      )}
      {(cursors.length > 1 || page?.nextAfter) && (
        <div className="flex items-center justify-between border-t border-slate-100 px-4 py-2 sm:px-5">
          <Button variant="secondary" size="sm" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>← Previous</Button>
          <span className="text-xs text-slate-500">page {cursors.length}</span>
          <Button variant="secondary" size="sm" disabled={!page?.nextAfter} onClick={() => page?.nextAfter && setCursors((c) => [...c, page.nextAfter])}>Next →</Button>
        </div>
      )}
    </div>
  );
}

/**
 * Memoized: typing in the search box must not re-render a hundred rows (issue 7: answers within 100 ms).
 * Under 640 px each row becomes a card (instance and status on top, then IP, names, key) with
 * the same elements restyled, so a phone never scrolls sideways to find the status.
 */
const PeerRows = memo(function PeerRows({ items, basePath }: { items: readonly PresentedPeer[]; basePath: string }) {
  return (
      <div className="relative sm:overflow-x-auto">
        <table className="w-full text-left text-sm max-sm:block" data-testid="peers-table">
          <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500 max-sm:hidden">
            <tr><th className="px-4 py-2 sm:px-5">Instance</th><th className="px-3 py-2">IP</th><th className="px-3 py-2">Names</th><th className="px-3 py-2">Public key</th><th className="px-3 py-2">Status</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100 max-sm:block">
            {items.map((p) => (
              <tr key={p.id} data-peer-ip={p.ip} className="align-top max-sm:grid max-sm:grid-cols-[minmax(0,1fr)_auto] max-sm:gap-x-3 max-sm:gap-y-1 max-sm:px-4 max-sm:py-3">
                <td className="px-4 py-2.5 whitespace-nowrap sm:px-5 max-sm:order-1 max-sm:p-0">
                  <Link href={`${basePath}/members/${p.memberId}`} className="font-medium text-indigo-700 hover:underline">{p.memberLabel}</Link>
                  <div className="text-xs text-slate-500">
                    <Link href={`${basePath}/peers/${p.id}`} className="hover:text-indigo-700 hover:underline" aria-label={`Host ${p.names[0]}`}>{p.process ? `${p.process} #${p.number}` : `#${p.number}`}</Link>{' '}
                    {p.isGateway && <Badge tone="indigo">gateway</Badge>}
                  </div>
                </td>
                <td className="px-3 py-2.5 whitespace-nowrap max-sm:order-3 max-sm:col-span-2 max-sm:p-0"><Copyable value={p.ip} label={`IP of ${p.names[0]}`} /></td>
                <td className="px-3 py-2.5 max-sm:order-4 max-sm:col-span-2 max-sm:p-0"><div className="flex min-w-0 flex-col sm:min-w-64">{p.names.map((n) => <Copyable key={n} value={n} />)}</div></td>
                <td className="max-w-40 px-3 py-2.5 max-sm:order-5 max-sm:col-span-2 max-sm:max-w-none max-sm:p-0">{p.publicKey ? <Copyable value={p.publicKey} label="public key" truncate /> : <span className="text-xs text-slate-400">no key yet</span>}</td>
                <td className="px-3 py-2.5 whitespace-nowrap max-sm:order-2 max-sm:p-0 max-sm:text-right" data-testid="peer-status-cell"><PeerStatus peer={p} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
  );
});
