import type { Metadata } from 'next';
import { load } from '@/lib/server/actions/load';
import { listDevicesOp } from '@/lib/server/devices/operations';
import { Card, CardHeader, EmptyState } from '@/components/ui/card';
import { AddDevice } from '@/components/devices/add-device';
import { DeviceCard } from '@/components/devices/device-card';
import { PageLinks } from '@/components/ui/page-links';
import { devicesPerPage, pageOf } from '@/lib/core/networks/page-bounds';

export const metadata: Metadata = { title: 'My access' };

export default async function AccessPage({ searchParams }: { searchParams: Promise<{ page?: string | string[] }> }) {
  const { items, canAddDevices, networks: reachable } = await load(listDevicesOp, {});
  // One page of devices (?page=N): only these reach the browser, however many there are.
  const shown = pageOf((await searchParams).page, items.length, devicesPerPage);
  const networks = [...reachable].sort((a, b) => a.projectName.localeCompare(b.projectName) || a.networkLabel.localeCompare(b.networkLabel));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">My access</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Your laptop or phone reaches the private networks of every project where you are developer or higher, over WireGuard.
          Keys are made in this browser: Meshplane only ever sees the public key.
        </p>
      </div>

      {canAddDevices ? (
        <Card>
          <CardHeader title="Add a device" description={networks.length === 0
            ? 'Your projects have no networks yet: the device gets addresses when you regenerate it later.'
            : `It gets an address in ${networks.length === 1 ? 'this network' : `these ${networks.length} networks`}: ${networks.map((n) => `${n.networkLabel} (${n.projectName})`).join(', ')}.`} />
          <div className="p-4 sm:p-5"><AddDevice /></div>
        </Card>
      ) : (
        <Card>
          <EmptyState title="No network access">
            Devices need the developer role (or higher) in a project. Ask a project owner to raise your role.
          </EmptyState>
        </Card>
      )}

      <Card>
        <CardHeader title="Your devices" description="Each device has one key pair and an address in each network it joins." />
        {items.length === 0 ? (
          <EmptyState title="No devices yet">
            {canAddDevices ? 'Add your laptop or phone above to get a WireGuard config file and QR code.' : 'You have no devices.'}
          </EmptyState>
        ) : (
          <>
            <ul className="divide-y divide-slate-200" data-testid="device-list">
              {items.slice(shown.from, shown.to).map((d) => <DeviceCard key={d.id} device={d} />)}
            </ul>
            <PageLinks slice={shown} total={items.length} noun="devices" href={(n) => `/access?page=${n}`} label="Device pages" />
          </>
        )}
      </Card>
    </div>
  );
}
