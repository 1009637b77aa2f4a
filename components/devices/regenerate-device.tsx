'use client';
import { useRef, useState, useTransition } from 'react';
import { renderDeviceConfig } from '@/lib/core/devices/render';
import { regenerateDeviceAction } from '@/app/(dashboard)/access/actions';
import { Button, Spinner } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { loadKeys, rememberDeviceKey } from '@/components/devices/key-store';
import type { NetworkReach } from '@/lib/core/devices/types';

export type ShownConfig = { text: string; hostCount: number; kept: boolean; networks: NetworkReach[] };

/**
 * "Regenerate": a new key pair made here, the public key sent, the old key revoked. Behind a
 * dialog, because the config now on the device stops working at the next push.
 */
export function RegenerateDevice({ deviceId, name, primary, onConfig }: {
  deviceId: string; name: string; primary?: boolean;
  onConfig: (config: ShownConfig) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();

  function confirm() {
    start(async () => {
      const pair = (await loadKeys()).generateKeyPair();
      const result = await regenerateDeviceAction({ deviceId, publicKey: pair.publicKey });
      if (!result.ok) { setError(result.error); return; }
      setError(null);
      dialog.current?.close();
      const kept = await rememberDeviceKey(deviceId, pair.privateKey);
      onConfig({ text: renderDeviceConfig(result.data, pair.privateKey), hostCount: result.data.peers.length, kept, networks: result.data.networks });
    });
  }

  return (
    <>
      <Button variant={primary ? 'primary' : 'secondary'} size="sm" onClick={() => dialog.current?.showModal()}>Regenerate</Button>
      <dialog ref={dialog} aria-labelledby={`regen-${deviceId}`} className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/50">
        <div className="space-y-4 p-5">
          <h2 id={`regen-${deviceId}`} className="text-lg font-semibold">Regenerate “{name}”?</h2>
          <div className="space-y-2 text-sm text-slate-600">
            <p>A new key pair is made in this browser and the old key is revoked: the config now on the device stops working at the next push.</p>
            <p>You get a fresh config, up to date with the current hosts and your access, to download or scan right away.</p>
          </div>
          <FormError message={error} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => dialog.current?.close()}>Cancel</Button>
            <Button onClick={confirm} disabled={pending} aria-busy={pending}>{pending && <Spinner />}{pending ? 'Regenerating…' : 'Regenerate key and config'}</Button>
          </div>
        </div>
      </dialog>
    </>
  );
}
