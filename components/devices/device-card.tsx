'use client';
import { useEffect, useState, useTransition } from 'react';
import type { DeviceListItem } from '@/lib/server/devices/read';
import { configFileName } from '@/lib/core/wireguard/client-config';
import { renderDeviceConfig } from '@/lib/core/devices/render';
import { deviceKey, forgetDeviceKey } from '@/components/devices/key-store';
import { deviceLiveness } from '@/lib/core/devices/liveness';
import { currentConfigAction, deleteDeviceAction, markConfigGivenAction } from '@/app/(dashboard)/access/actions';
import { Badge } from '@/components/ui/card';
import { Button, Spinner } from '@/components/ui/button';
import { Copyable } from '@/components/ui/copy';
import { FormError } from '@/components/ui/field';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { FreshConfig } from './fresh-config';
import { RegenerateDevice, type ShownConfig } from './regenerate-device';

/** One device: status, liveness, addresses and names per network, Update config, Regenerate and Delete. */
export function DeviceCard({ device }: { device: DeviceListItem }) {
  const [fresh, setFresh] = useState<ShownConfig | null>(null);
  // undefined while IndexedDB is read; null when this browser does not hold the device's key.
  const [key, setKey] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  useEffect(() => {
    let live = true;
    void deviceKey(device.id, device.publicKey).then((k) => { if (live) setKey(k); });
    return () => { live = false; };
  }, [device.id, device.publicKey]);

  const stale = device.stale && !fresh;
  const blocked = device.networks.filter((n) => !n.reachable);
  const ready = device.addresses.length > 0 && blocked.length === 0;
  const liveness = deviceLiveness(device.lastHandshakeAt);

  // Same key, new file: the config as of now rendered here, then its hash recorded as given.
  function update() {
    start(async () => {
      if (!key) return;
      const now = await currentConfigAction({ deviceId: device.id });
      if (!now.ok) { setError(now.error); return; }
      const marked = await markConfigGivenAction({ deviceId: device.id, hash: now.data.hash });
      if (!marked.ok) { setError(marked.error); return; }
      setError(null);
      setFresh({ text: renderDeviceConfig(now.data, key), hostCount: now.data.peers.length, kept: true, networks: now.data.networks });
    });
  }

  async function forget() {
    if (!window.confirm(`Forget the private key of “${device.name}” in this browser? The device keeps working; a new config will then need Regenerate (a new key).`)) return;
    await forgetDeviceKey(device.id);
    setKey(null);
  }

  const updateButton = (primary: boolean) => (
    <Button variant={primary ? 'primary' : 'secondary'} size="sm" onClick={update} disabled={pending} aria-busy={pending}>
      {pending && <Spinner />}{pending ? 'Updating…' : 'Update config'}
    </Button>
  );

  return (
    <li className="space-y-3 px-4 py-4 sm:px-5" data-testid={`device-${device.name}`}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <h3 className="font-semibold break-all text-slate-900">{device.name}</h3>
        {stale ? <Badge tone="amber">out of date</Badge> : ready ? <Badge tone="green">up to date</Badge> : <Badge tone="red">not ready</Badge>}
        <span className={`text-xs ${liveness.state === 'connected' ? 'font-medium text-emerald-700' : 'text-slate-500'}`} data-testid="device-liveness">{liveness.text}</span>
        <span className="text-xs text-slate-500">added {new Date(device.createdAt).toISOString().slice(0, 10)}</span>
        <div className="ml-auto flex flex-wrap gap-2">
          {!stale && key && updateButton(false)}
          {!stale && <RegenerateDevice deviceId={device.id} name={device.name} onConfig={setFresh} />}
          <ConfirmForm action={deleteDeviceAction} hidden={{ deviceId: device.id }} size="sm" trigger="Delete" confirmLabel="Delete device"
            title={`Delete “${device.name}”?`}
            consequences={<p>Its key is revoked: every host drops it at the next push, and its addresses are released.</p>} />
        </div>
      </div>

      {stale && (
        <div role="status" className="flex flex-col gap-3 rounded-md bg-amber-50 p-3 text-sm text-amber-950 ring-1 ring-amber-200 sm:flex-row sm:items-center">
          <div className="min-w-0 flex-1 space-y-1">
            <p className="font-semibold">Out of date — download a new config.</p>
            <ul className="list-disc space-y-0.5 pl-5 break-words" data-testid="device-changes">
              {device.changes.map((c) => <li key={c}>{c}</li>)}
            </ul>
            {key === null && <p>This browser does not hold this device’s private key (it was made in another browser, or forgotten here), so a new config needs a new key: Regenerate.</p>}
            {key && <p>This browser holds the device’s key: Update config gives the new file with the same key.</p>}
          </div>
          <div className="flex flex-wrap gap-2">
            {key && updateButton(true)}
            <RegenerateDevice deviceId={device.id} name={device.name} primary={!key} onConfig={setFresh} />
          </div>
        </div>
      )}
      <FormError message={error} />

      {fresh && (
        <div className="space-y-3 rounded-md p-3 ring-1 ring-indigo-200" data-testid="fresh-device-config">
          <FreshConfig text={fresh.text} fileName={configFileName(device.name)} hostCount={fresh.hostCount} kept={fresh.kept} networks={fresh.networks}
            doneSize="sm" onDone={() => setFresh(null)} />
        </div>
      )}

      {device.addresses.length === 0 ? (
        <p className="text-sm text-red-800">In no network: it has no address anywhere yet, so its config reaches nothing.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-md ring-1 ring-slate-200">
          {device.addresses.map((a) => {
            const reach = device.networks.find((n) => n.networkId === a.networkId);
            return (
              <li key={a.networkId} className="grid gap-1 px-3 py-2 text-sm sm:grid-cols-[minmax(0,16rem)_minmax(0,9rem)_minmax(0,1fr)] sm:items-center sm:gap-3">
                <span className="min-w-0 truncate" title={`${a.networkLabel} · ${a.projectName}`}>
                  <span className="font-medium text-slate-800">{a.networkLabel}</span> <span className="text-slate-500">· {a.projectName}</span>
                </span>
                <Copyable value={a.ip} label={`${device.name} IP in ${a.networkLabel}`} />
                <span className="min-w-0"><Copyable value={a.dnsName} label={`${device.name} DNS name in ${a.networkLabel}`} /></span>
                {reach && !reach.reachable && (
                  <p className="text-red-800 break-words sm:col-span-3" data-testid="network-unreachable"><strong>Reaches nothing here.</strong> {reach.reason}</p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {key && (
        <p className="text-xs text-slate-500">This browser keeps the private key. <button type="button" className="underline hover:text-slate-700" onClick={() => void forget()}>Forget the key in this browser</button></p>
      )}
    </li>
  );
}
