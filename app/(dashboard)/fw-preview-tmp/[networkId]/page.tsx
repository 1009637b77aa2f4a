// TEMPORARY (firewall engineer): preview of FirewallPanel until the network page renders it. Delete before commit.
import { FirewallPanel } from '@/components/firewall/firewall-panel';

export default async function Preview({ params }: { params: Promise<{ networkId: string }> }) {
  const { networkId } = await params;
  return <div className="space-y-6"><FirewallPanel networkId={networkId} /></div>;
}
