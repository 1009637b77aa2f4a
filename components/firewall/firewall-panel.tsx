import { load } from '@/lib/server/actions/load';
import { can } from '@/lib/core/permissions';
import { getFirewallOp } from '@/lib/server/firewall/operations';
import { noIpMessage } from '@/lib/core/firewall/schemas';
import { Badge, Card, CardHeader } from '@/components/ui/card';
import { Copyable } from '@/components/ui/copy';
import { LeaseIpForm, LeaseNowForm } from './lease-forms';
import { LeaseList } from './lease-list';
import { RuleList } from './rule-list';
import { AddRuleForm } from './rule-form';

export type FirewallView = Awaited<ReturnType<typeof getFirewallOp.execute>>;

/**
 * Who may reach this network's WireGuard port: the caller's own IP and whether it is let in,
 * 24-hour leases (Lease Now), and permanent rules. Buttons follow the caller's role; the
 * server checks it again on every action.
 */
export async function FirewallPanel({ networkId }: { networkId: string }) {
  const view = await load(getFirewallOp, { networkId });
  const developer = can(view.role, 'access.own');
  const admin = can(view.role, 'network.write');
  const yourLease = view.you.coveredBy?.by === 'lease';
  return (
    <Card>
      <CardHeader title="Firewall"
        description={<>Hosts accept WireGuard (UDP {view.listenPort}) only from each other, the permanent rules and active leases below.</>}
        actions={developer ? <LeaseNowForm networkId={networkId} renews={yourLease} /> : undefined} />
      <YourIp view={view} developer={developer} />
      <LeaseList view={view} developer={developer} />
      {admin && <div className="border-t border-slate-200 px-4 py-4 sm:px-5"><LeaseIpForm networkId={networkId} /></div>}
      <RuleList view={view} admin={admin} />
      {admin && <div className="border-t border-slate-200 px-4 py-4 sm:px-5"><AddRuleForm networkId={networkId} /></div>}
    </Card>
  );
}

function YourIp({ view, developer }: { view: FirewallView; developer: boolean }) {
  const { ip, coveredBy } = view.you;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5 border-b border-slate-200 bg-slate-50 px-4 py-3 text-sm sm:px-5" data-testid="your-ip">
      <span className="font-medium text-slate-700">Your current IP</span>
      {ip ? <Copyable value={ip} label="your IP" /> : <span className="text-slate-500">unknown</span>}
      {!ip ? (
        <p className="w-full text-amber-800">{noIpMessage}</p>
      ) : coveredBy?.by === 'lease' ? (
        <Badge tone="green">allowed by a lease</Badge>
      ) : coveredBy?.by === 'rule' ? (
        <Badge tone="green">allowed by rule {coveredBy.cidr}</Badge>
      ) : (
        <>
          <Badge tone="amber">not allowed</Badge>
          <span className="text-slate-600">
            {developer ? 'Press Lease Now before you connect from here.' : 'Ask a developer or an admin to open it before you connect from here.'}
          </span>
        </>
      )}
    </div>
  );
}
