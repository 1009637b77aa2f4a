import type { NetworkReach } from '@/lib/core/devices/types';

/** Per network this config reaches nothing in: why, and what the operator must do. */
export function ReachWarnings({ networks }: { networks: NetworkReach[] }) {
  const blocked = networks.filter((n) => !n.reachable);
  if (networks.length === 0) {
    return (
      <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-950 ring-1 ring-red-200" data-testid="reach-warnings">
        <strong>Not ready: this device is in no network</strong>, so its config reaches nothing. A project admin must create a network; then update this config.
      </p>
    );
  }
  if (blocked.length === 0) return null;
  return (
    <div role="alert" className="space-y-1 rounded-md bg-red-50 p-3 text-sm text-red-950 ring-1 ring-red-200" data-testid="reach-warnings">
      <p className="font-semibold">{blocked.length === networks.length ? 'Not ready: this config reaches nothing yet.' : 'Not ready everywhere: this config reaches nothing in some networks.'}</p>
      <ul className="list-disc space-y-1 pl-5">
        {blocked.map((n) => <li key={n.networkId} className="break-words">{n.reason}</li>)}
      </ul>
    </div>
  );
}
