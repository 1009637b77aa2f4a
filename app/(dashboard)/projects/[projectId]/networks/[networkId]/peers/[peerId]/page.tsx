import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { load } from '@/lib/server/actions/load';
import { getPeerOp, getPeerReachOp } from '@/lib/server/peers/operations';
import { getNetworkOp } from '@/lib/server/networks/operations';
import { can } from '@/lib/core/permissions';
import { configFileName } from '@/lib/core/wireguard/client-config';
import { Badge, Card, CardHeader } from '@/components/ui/card';
import { Copyable } from '@/components/ui/copy';
import { PeerConfigGenerator } from '@/components/devices/peer-config-generator';
import { EnrollPanel } from '@/components/pushes/enroll-panel';
import { publicUrl } from '@/lib/server/public-url';
import { PeerLiveStatus } from '@/components/networks/peer-live-status';
import { PeerReachList } from '@/components/networks/peer-reach';
import { GatewayForm } from './gateway-form';

export const metadata: Metadata = { title: 'Peer' };

type Params = Promise<{ projectId: string; networkId: string; peerId: string }>;

export default async function PeerPage({ params }: { params: Params }) {
  const { projectId, networkId, peerId } = await params;
  const [network, peer, reach] = [await load(getNetworkOp, { networkId }), await load(getPeerOp, { peerId }), await load(getPeerReachOp, { peerId })];
  // Each id is checked by the gate; the path must also hang together.
  if (network.projectId !== projectId || peer.networkId !== networkId) notFound();
  const title = `${peer.memberLabel} ${peer.process ? `${peer.process}.` : '#'}${peer.number}`;
  const networkHref = `/projects/${projectId}/networks/${networkId}`;
  return (
    <div className="space-y-5">
      <div>
        <Link href={networkHref} className="text-sm text-slate-500 hover:text-slate-800">← {network.label}</Link>
        <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1">
          <h2 className="text-xl font-semibold tracking-tight break-all">{title}</h2>
          <code className="font-mono text-xs text-slate-500">{peer.id}</code>
          <Badge>{peer.kind}</Badge>
          {peer.isGateway && <Badge tone="indigo">gateway</Badge>}
          {peer.enrolled ? <Badge tone="green">run by the agent</Badge> : peer.publicKey ? <Badge tone="slate">run by hand</Badge> : <Badge tone="amber">no key yet</Badge>}
        </div>
      </div>

      <Card>
        <CardHeader title="Addresses and names" />
        <dl className="grid gap-x-4 gap-y-3 p-4 text-sm sm:grid-cols-[9rem_minmax(0,1fr)] sm:p-5">
          <dt className="text-slate-500">Private IP</dt>
          <dd><Copyable value={peer.ip} label="private IP" /></dd>
          <dt className="text-slate-500">DNS names</dt>
          <dd className="min-w-0 space-y-1">{peer.names.map((n) => <div key={n}><Copyable value={n} label={n} /></div>)}</dd>
          <dt className="text-slate-500">Public key</dt>
          <dd className="min-w-0">{peer.publicKey ? <Copyable value={peer.publicKey} label="public key" /> : <span className="text-slate-500">none yet</span>}</dd>
          <dt className="text-slate-500">Endpoint</dt>
          <dd className="min-w-0">{peer.endpoint ? <Copyable value={peer.endpoint} label="endpoint" /> : <span className="text-slate-500">none: it dials out</span>}</dd>
        </dl>
      </Card>

      {peer.publicKey && (
        <Card>
          <CardHeader title="Reaches" description="The other hosts, and how this one's WireGuard gets to them." />
          <PeerReachList reach={reach} selfHasEndpoint={peer.endpoint !== null} hrefOf={(id) => `${networkHref}/peers/${id}`} />
        </Card>
      )}

      <Card>
        <CardHeader title="Status" description="What the agent on this host last reported; refreshed every few seconds." />
        <PeerLiveStatus initial={peer} />
      </Card>

      {can(network.role, 'network.write') && (
        <Card>
          <CardHeader title="Agent" description="The Meshplane agent makes the host's key, receives signed configs and applies them with wg, ip and nft." />
          <div className="space-y-4 p-4 sm:p-5">
            <EnrollPanel peerId={peer.id} enrolled={peer.enrolled} listenPort={network.listenPort} publicUrl={publicUrl()} />
            <div className="border-t border-slate-100 pt-4"><GatewayForm peerId={peer.id} isGateway={peer.isGateway} enrolled={peer.enrolled} /></div>
          </div>
        </Card>
      )}

      {can(network.role, 'network.write') && !peer.enrolled && (
        <Card>
          <CardHeader title="Generate config" description="For a server you run yourself, without the Meshplane agent: a standard wg-quick config listing the other hosts." />
          <div className="p-4 sm:p-5">
            <PeerConfigGenerator peerId={peer.id} hasKey={!!peer.publicKey} endpoint={peer.endpoint}
              fileName={configFileName(`${peer.memberId.slice(3, 9)}-${peer.number}`)} />
          </div>
        </Card>
      )}
    </div>
  );
}
