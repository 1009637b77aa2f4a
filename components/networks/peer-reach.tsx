import Link from 'next/link';
import type { PeerReach, ReachItem } from '@/lib/server/peers/reach';

// The peer page's "Reaches": how this host's WireGuard gets to each other host (lib/core/protocol/reach.ts).
// A group of thousands shows its first few and a count: the page stays a page.

const shown = 12;

function Hosts({ list, hrefOf }: { list: ReachItem[]; hrefOf: (peerId: string) => string }) {
  return (
    <ul className="flex min-w-0 flex-wrap gap-1.5">
      {list.slice(0, shown).map((h) => (
        <li key={h.peerId}>
          <Link href={hrefOf(h.peerId)} className="inline-flex items-baseline gap-1.5 rounded-md bg-slate-50 px-2 py-0.5 text-sm ring-1 ring-slate-200 ring-inset hover:bg-slate-100">
            <span className="text-slate-800">{h.name}</span>
            <code className="font-mono text-xs text-slate-500">{h.ip}</code>
          </Link>
        </li>
      ))}
      {list.length > shown && <li className="self-center text-sm text-slate-500">and {list.length - shown} more</li>}
    </ul>
  );
}

export function PeerReachList({ reach, selfHasEndpoint, hrefOf }: { reach: PeerReach; selfHasEndpoint: boolean; hrefOf: (peerId: string) => string }) {
  const { direct, viaGateway, unreachable, relay } = reach;
  if (direct.length + viaGateway.length + unreachable.length === 0) {
    return <p className="p-4 text-sm text-slate-500 sm:p-5">No other enrolled host yet.</p>;
  }
  return (
    <dl className="grid gap-x-4 gap-y-3 p-4 text-sm sm:grid-cols-[9rem_minmax(0,1fr)] sm:p-5">
      {direct.length > 0 && <>
        <dt className="text-slate-500">Directly <span className="text-slate-400">{direct.length}</span></dt>
        <dd className="min-w-0">
          <Hosts list={direct} hrefOf={hrefOf} />
          {!selfHasEndpoint && <p className="mt-1.5 text-xs text-slate-500">No endpoint here: it dials them, with a keepalive every 25 s.</p>}
        </dd>
      </>}
      {viaGateway.length > 0 && relay && <>
        <dt className="text-slate-500">Through the gateway <span className="text-slate-400">{viaGateway.length}</span></dt>
        <dd className="min-w-0">
          <Hosts list={viaGateway} hrefOf={hrefOf} />
          <p className="mt-1.5 text-xs text-slate-500">Neither side has an endpoint: <span className="text-slate-700">{relay.name}</span> forwards between them.</p>
        </dd>
      </>}
      {unreachable.length > 0 && <>
        <dt className="font-medium text-red-700">Cannot reach <span className="font-normal text-red-400">{unreachable.length}</span></dt>
        <dd className="min-w-0">
          <Hosts list={unreachable} hrefOf={hrefOf} />
          <p className="mt-1.5 text-xs text-red-700">Neither side has an endpoint and no gateway with one relays them: give one an endpoint, or make a host that has one the gateway.</p>
        </dd>
      </>}
    </dl>
  );
}
