'use client';
import { useState, useTransition } from 'react';
import { configFileName } from '@/lib/core/wireguard/client-config';
import { renderDeviceConfig } from '@/lib/core/devices/render';
import type { DeviceConfigAnswer } from '@/lib/core/devices/types';
import { createDeviceAction } from '@/app/(dashboard)/access/actions';
import { Field, FormError } from '@/components/ui/field';
import { Button, Spinner } from '@/components/ui/button';
import { loadKeys, rememberDeviceKey } from '@/components/devices/key-store';
import { FreshConfig } from './fresh-config';

type Made = { answer: DeviceConfigAnswer; text: string; kept: boolean };

/** Names a device, makes its key pair here (kept in this browser), sends the public key, then offers the config. */
export function AddDevice() {
  const [name, setName] = useState('');
  const [error, setError] = useState<{ name?: string; other?: string }>({});
  const [made, setMade] = useState<Made | null>(null);
  const [pending, start] = useTransition();

  function submit(e: React.FormEvent) {
    e.preventDefault();
    start(async () => {
      const pair = (await loadKeys()).generateKeyPair(); // the private key never leaves this closure and `made`
      const result = await createDeviceAction({ name, publicKey: pair.publicKey });
      if (!result.ok) {
        setError({ name: result.fieldErrors.name, other: result.fieldErrors.name ? undefined : result.error });
        return;
      }
      setError({});
      setName('');
      const kept = await rememberDeviceKey(result.data.id, pair.privateKey);
      setMade({ answer: result.data, text: renderDeviceConfig(result.data, pair.privateKey), kept });
    });
  }

  if (made) {
    return (
      <div className="space-y-4" data-testid="new-device-config">
        <h3 className="font-semibold text-slate-900">Config for “{made.answer.name}”</h3>
        <FreshConfig text={made.text} fileName={configFileName(made.answer.name)} hostCount={made.answer.peers.length}
          kept={made.kept} networks={made.answer.networks} onDone={() => setMade(null)} />
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <Field label="Device name" name="name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={63}
          placeholder="laptop" autoComplete="off" autoCapitalize="none" spellCheck={false} error={error.name}
          hint="Lower-case letters, digits and hyphens: it becomes part of the device’s DNS name." className="flex-1" />
        <Button type="submit" className="sm:mt-6" disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}{pending ? 'Creating…' : 'Create device and config'}
        </Button>
      </div>
      <FormError message={error.other} />
    </form>
  );
}
