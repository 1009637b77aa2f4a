import { load } from '@/lib/server/actions/load';
import { listNetworkDevicesOp } from '@/lib/server/devices/operations';
import { Card, CardHeader, EmptyState } from '@/components/ui/card';
import { Copyable } from '@/components/ui/copy';
import { deviceLiveness } from '@/lib/core/devices/liveness';
import { devicesShown } from '@/lib/core/networks/page-bounds';

/** The network's devices under its hosts table: owner, device, liveness, IP and DNS name. */
export async function NetworkDevices({ networkId }: { networkId: string }) {
  const all = await load(listNetworkDevicesOp, { networkId });
  // Bounded: the first devices, in address order, and how many more there are.
  const rows = all.slice(0, devicesShown);
  return (
    <Card>
      <CardHeader title="Devices" description="Team members’ laptops and phones, from the top of the network’s range." />
      {rows.length === 0 ? (
        <EmptyState title="No devices">Developers add theirs under My access.</EmptyState>
      ) : (
        <>
        {/* Phones: one card per device, status visible without scrolling sideways. */}
        <ul className="divide-y divide-slate-100 sm:hidden" data-testid="network-devices-cards">
          {rows.map((d) => {
            const live = deviceLiveness(d.lastHandshakeAt);
            return (
              <li key={d.id} className="space-y-1 px-4 py-3 text-sm">
                <p className="flex flex-wrap items-baseline gap-x-2"><span className="font-medium break-all">{d.name}</span>
                  <span className={live.state === 'connected' ? 'text-emerald-700' : 'text-slate-500'}>{live.text}</span></p>
                <p className="text-slate-600 [overflow-wrap:anywhere]">{d.ownerEmail}</p>
                <Copyable value={d.ip} label={`IP of ${d.name} (${d.ownerHandle})`} />
                <Copyable value={d.dnsName} label={`DNS name of ${d.name} (${d.ownerHandle})`} />
              </li>
            );
          })}
        </ul>
        <div className="relative hidden overflow-x-auto sm:block">
          {/* relative: the copy buttons' screen-reader text is placed absolutely and would otherwise widen the page */}
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium sm:px-5">Owner</th>
                <th scope="col" className="px-4 py-2 font-medium">Device</th>
                <th scope="col" className="px-4 py-2 font-medium">Status</th>
                <th scope="col" className="px-4 py-2 font-medium">IP</th>
                <th scope="col" className="px-4 py-2 font-medium">Name</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((d) => (
                <tr key={d.id} data-testid={`network-device-${d.name}-${d.ownerHandle}`}>
                  <td className="max-w-48 truncate px-4 py-2 sm:px-5" title={d.ownerEmail}>{d.ownerEmail}</td>
                  <td className="px-4 py-2 font-medium">{d.name}</td>
                  <td className={`px-4 py-2 whitespace-nowrap ${deviceLiveness(d.lastHandshakeAt).state === 'connected' ? 'text-emerald-700' : 'text-slate-500'}`} data-testid="device-liveness">{deviceLiveness(d.lastHandshakeAt).text}</td>
                  <td className="px-4 py-2 whitespace-nowrap"><Copyable value={d.ip} label={`IP of ${d.name} (${d.ownerHandle})`} /></td>
                  <td className="min-w-64 px-4 py-2"><Copyable value={d.dnsName} label={`DNS name of ${d.name} (${d.ownerHandle})`} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {all.length > rows.length && <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500 sm:px-5" data-testid="network-devices-more">The first {rows.length} of {all.length} devices, in address order; each owner sees theirs under My access.</p>}
        </>
      )}
    </Card>
  );
}
