'use client';
import { useState } from 'react';
import type { DeviceListItem } from '@/lib/devices/read';
import { configFileName } from '@/lib/wireguard/client-config';
import { deleteDeviceAction } from '@/app/(dashboard)/access/actions';
import { Badge } from '@/components/ui/card';
import { Copyable } from '@/components/ui/copy';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { FreshConfig } from './fresh-config';
import { RegenerateDevice } from './regenerate-device';

/** One device: status, addresses and names per network, Regenerate and Delete. */
export function DeviceCard({ device }: { device: DeviceListItem }) {
  const [fresh, setFresh] = useState<{ text: string; hostCount: number } | null>(null);
  const stale = device.stale && !fresh;
  return (
    <li className="space-y-3 px-4 py-4 sm:px-5" data-testid={`device-${device.name}`}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <h3 className="font-semibold break-all text-slate-900">{device.name}</h3>
        {stale ? <Badge tone="amber">out of date</Badge> : <Badge tone="green">up to date</Badge>}
        <span className="text-xs text-slate-500">added {new Date(device.createdAt).toISOString().slice(0, 10)}</span>
        <div className="ml-auto flex gap-2">
          {!stale && <RegenerateDevice deviceId={device.id} name={device.name} onConfig={setFresh} />}
          <ConfirmForm action={deleteDeviceAction} hidden={{ deviceId: device.id }} size="sm" trigger="Delete" confirmLabel="Delete device"
            title={`Delete “${device.name}”?`}
            consequences={<p>Its key is revoked: every host drops it at the next push, and its addresses are released.</p>} />
        </div>
      </div>

      {stale && (
        <div role="status" className="flex flex-col gap-3 rounded-md bg-amber-50 p-3 text-sm text-amber-950 ring-1 ring-amber-200 sm:flex-row sm:items-center">
          <div className="flex-1 space-y-1">
            <p className="font-semibold">Out of date — download a new config.</p>
            <p>Hosts were added or removed, or your access changed, since this device got its config.
              The private key was never stored, so a new config comes with a new key pair.</p>
            {device.missingNetworks.length > 0 && (
              <p>Not yet in: {device.missingNetworks.map((n) => `${n.networkLabel} (${n.projectName})`).join(', ')}.</p>
            )}
          </div>
          <RegenerateDevice deviceId={device.id} name={device.name} primary onConfig={setFresh} />
        </div>
      )}

      {fresh && (
        <div className="space-y-3 rounded-md p-3 ring-1 ring-indigo-200" data-testid="fresh-device-config">
          <FreshConfig text={fresh.text} fileName={configFileName(device.name)} hostCount={fresh.hostCount} doneSize="sm" onDone={() => setFresh(null)} />
        </div>
      )}

      {device.addresses.length === 0 ? (
        <p className="text-sm text-slate-500">In no network: it has no address anywhere yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-md ring-1 ring-slate-200">
          {device.addresses.map((a) => (
            <li key={a.networkId} className="grid gap-1 px-3 py-2 text-sm sm:grid-cols-[minmax(0,16rem)_minmax(0,9rem)_minmax(0,1fr)] sm:items-center sm:gap-3">
              <span className="min-w-0 truncate" title={`${a.networkLabel} · ${a.projectName}`}>
                <span className="font-medium text-slate-800">{a.networkLabel}</span> <span className="text-slate-500">· {a.projectName}</span>
              </span>
              <Copyable value={a.ip} label={`${device.name} IP in ${a.networkLabel}`} />
              <span className="min-w-0"><Copyable value={a.dnsName} label={`${device.name} DNS name in ${a.networkLabel}`} /></span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
