'use client';
import { useState, useTransition } from 'react';
import { loadKeys } from '@/components/devices/key-store';
import { renderPeerConfig } from '@/lib/core/devices/render';
import { registerPeerKeyAction } from '@/app/(dashboard)/projects/[projectId]/networks/[networkId]/peers/[peerId]/actions';
import { Field, FormError } from '@/components/ui/field';
import { Button, Spinner } from '@/components/ui/button';
import { FreshConfig } from './fresh-config';

type Props = { peerId: string; fileName: string; hasKey: boolean; endpoint: string | null };

/**
 * "Generate config" for a peer without an agent: the key pair is made here, the public key
 * (and endpoint) registered on the peer, and the config listing the other hosts offered.
 */
export function PeerConfigGenerator({ peerId, fileName, hasKey, endpoint: current }: Props) {
  const [endpoint, setEndpoint] = useState(current ?? '');
  const [error, setError] = useState<{ endpoint?: string; other?: string }>({});
  const [made, setMade] = useState<{ text: string; hostCount: number } | null>(null);
  const [pending, start] = useTransition();

  function submit(e: React.FormEvent) {
    e.preventDefault();
    start(async () => {
      const pair = (await loadKeys()).generateKeyPair();
      const result = await registerPeerKeyAction({ peerId, publicKey: pair.publicKey, endpoint });
      if (!result.ok || !result.data.config) {
        const fields = result.ok ? {} : result.fieldErrors;
        setError({ endpoint: fields.endpoint, other: fields.endpoint ? undefined : result.ok ? 'No config came back.' : result.error });
        return;
      }
      setError({});
      setMade({ text: renderPeerConfig(result.data.config, pair.privateKey), hostCount: result.data.config.peers.length });
    });
  }

  if (made) {
    return (
      <div className="space-y-4" data-testid="peer-config">
        <FreshConfig text={made.text} fileName={fileName} hostCount={made.hostCount} onDone={() => setMade(null)} notice={
          <p className="rounded-md bg-indigo-50 p-3 text-sm text-indigo-950 ring-1 ring-indigo-200">
            <strong>The private key exists only in this page.</strong> Copy the file to the server now (as /etc/wireguard/mesh0.conf,
            then <code className="font-mono text-xs">wg-quick up mesh0</code>). Leaving this page loses the key; generating again
            makes a new pair and revokes this one. The file lists the hosts as of now: when hosts or devices change, generate it again.
          </p>
        } />
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-3" noValidate>
      {hasKey && (
        <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-950 ring-1 ring-amber-200">
          This peer already has a key. Generating a new config revokes it: the server running the current config loses access at the next push.
        </p>
      )}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <Field label="Endpoint (optional)" name="endpoint" value={endpoint} onChange={(e) => setEndpoint(e.target.value)}
          placeholder="203.0.113.7:51820" autoComplete="off" spellCheck={false} error={error.endpoint} className="flex-1"
          hint="host:port where the other hosts reach this server. Leave empty if it can only dial out." />
        <Button type="submit" className="sm:mt-6" disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}{pending ? 'Generating…' : 'Generate config'}
        </Button>
      </div>
      <FormError message={error.other} />
    </form>
  );
}
