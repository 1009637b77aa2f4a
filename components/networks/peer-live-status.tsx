'use client';
import { useQuery } from '@tanstack/react-query';
import type { PresentedPeer } from '@/lib/server/peers/peers';
import { agentHealthView } from '@/lib/core/peers/agent-health';
import { Badge } from '@/components/ui/card';
import { PeerStatus } from './peer-status';

const bytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`);

/** A host's push state and traffic, refreshed every few seconds without a reload. */
export function PeerLiveStatus({ initial }: { initial: PresentedPeer }) {
  const { data: peer } = useQuery({
    queryKey: ['peer', initial.id],
    queryFn: async () => (await fetch(`/api/v1/peers/${initial.id}`, { cache: 'no-store' })).json() as Promise<PresentedPeer>,
    initialData: initial,
    refetchInterval: 5000,
  });
  const agent = agentHealthView(peer, new Date());
  return (
    <dl className="grid gap-x-4 gap-y-3 p-4 text-sm sm:grid-cols-[9rem_minmax(0,1fr)] sm:p-5" data-testid="peer-status">
      <dt className="text-slate-500">Config</dt><dd><PeerStatus peer={peer} showHealth={false} /></dd>
      <dt className="text-slate-500">Versions</dt>
      <dd className="font-mono">applied v{peer.appliedVersion} · current v{peer.desiredVersion}</dd>
      <dt className="text-slate-500">Last push</dt><dd>{peer.lastPushedAt ? new Date(peer.lastPushedAt).toLocaleString() : 'never'}{peer.attempts > 0 && peer.pushState !== 'applied' ? ` · ${peer.attempts} failed ${peer.attempts === 1 ? 'attempt' : 'attempts'}` : ''}</dd>
      {peer.lastError && <><dt className="text-slate-500">Last error</dt><dd className="break-words text-red-700">{peer.lastError}</dd></>}
      {peer.enrolled && <>
        <dt className="text-slate-500">Agent health</dt>
        <dd className="min-w-0" data-testid="agent-health">
          <Badge tone={agent.health.tone}>{agent.health.label}</Badge>
          {agent.health.reason && <span className="mt-1 block break-words text-red-700">{agent.health.reason}</span>}
          <span className="mt-1 block text-xs text-slate-500">as of its last answer to a push</span>
        </dd>
        <dt className="text-slate-500">Self-repair</dt>
        <dd className={`min-w-0 break-words ${agent.repair?.failed ? 'text-red-700' : ''}`} data-testid="agent-repair">{agent.repair?.text ?? <span className="text-slate-500">none so far</span>}</dd>
      </>}
      <dt className="text-slate-500">Traffic</dt><dd>{bytes(peer.rxBytes)} received · {bytes(peer.txBytes)} sent</dd>
    </dl>
  );
}
