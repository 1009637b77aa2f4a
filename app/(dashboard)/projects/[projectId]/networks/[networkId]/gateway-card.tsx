'use client';
import Link from 'next/link';
import { useActionState } from 'react';
import { Card, CardHeader } from '@/components/ui/card';
import { SubmitButton } from '@/components/ui/button';
import { FormError } from '@/components/ui/field';
import { updateNetworkAction } from '../actions';

type Gateway = { peerId: string; ip: string; memberLabel: string; process: string; number: number; endpoint: string | null; enrolled: boolean } | null;

/** Which host devices go through, and the switch for choosing it automatically. */
export function GatewayCard({ projectId, networkId, basePath, autoGateway, gateway, canWrite }: {
  projectId: string; networkId: string; basePath: string; autoGateway: boolean; gateway: Gateway; canWrite: boolean;
}) {
  const [state, action] = useActionState(updateNetworkAction, null);
  const usable = gateway && gateway.enrolled && gateway.endpoint;
  return (
    <Card>
      <CardHeader title="Gateway" description="Devices list the gateway alone, so their configs survive hosts coming and going." />
      <div className="space-y-3 p-4 text-sm sm:p-5" data-testid="network-gateway">
        {gateway ? (
          <p className="break-words">
            Devices reach this network through{' '}
            <Link className="font-medium text-indigo-700 hover:underline" href={`${basePath}/peers/${gateway.peerId}`}>
              {gateway.memberLabel} {gateway.process !== 'instance' ? `${gateway.process} ` : ''}#{gateway.number}
            </Link>{' '}
            (<span className="font-mono">{gateway.ip}</span>{gateway.endpoint ? <>, at <span className="font-mono">{gateway.endpoint}</span></> : null}).
            {!usable && <span className="text-red-800"> It {gateway.enrolled ? 'has no endpoint' : 'has not enrolled'} yet, so devices reach nothing through it.</span>}
          </p>
        ) : (
          <p>
            No gateway: devices list every enrolled host, and their configs go out of date whenever hosts change.{' '}
            {autoGateway ? 'The first host to enrol with the agent and an endpoint becomes the gateway.' : 'Make a host the gateway on its page.'}
          </p>
        )}
        <p className="text-slate-600">
          {autoGateway ? 'Chosen automatically when there is none.' : 'Automatic choice is off: the gateway is set by hand on a host’s page.'}{' '}
          {canWrite && 'To use another host, open its page and choose “Make this host the gateway”.'}
        </p>
        {canWrite && (
          <form action={action} className="flex flex-wrap items-center gap-3">
            <input type="hidden" name="projectId" value={projectId} />
            <input type="hidden" name="networkId" value={networkId} />
            <input type="hidden" name="autoGateway" value={String(!autoGateway)} />
            <SubmitButton variant="secondary" size="sm" pendingText="Saving…">{autoGateway ? 'Turn automatic choice off' : 'Choose the gateway automatically'}</SubmitButton>
            {state && !state.ok && <FormError message={state.error} />}
          </form>
        )}
      </div>
    </Card>
  );
}
