'use client';
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';

/** "23:59:58": hours may pass 24 if an admin ever leases for longer. */
function formatRemaining(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/**
 * Time left on a lease, ticking every second. The first render uses the server's numbers
 * only, so it matches the HTML the server sent; then the browser's clock takes over. (Not
 * corrected by the server's clock: a page restored from the back/forward cache carries an old
 * server time, which would skew the count by however long it sat there.)
 */
export function Countdown({ expiresAt, serverNow }: { expiresAt: string; serverNow: string }) {
  const router = useRouter();
  const end = Date.parse(expiresAt);
  const [remaining, setRemaining] = useState(end - Date.parse(serverNow));
  useEffect(() => {
    const tick = () => {
      const left = end - Date.now();
      setRemaining(left);
      return left;
    };
    if (tick() <= 0) return;
    const timer = setInterval(() => {
      if (tick() <= 0) {
        clearInterval(timer);
        router.refresh(); // the lease has ended: let the server drop it from the list
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [end, router]);
  const low = remaining < 60 * 60 * 1000;
  return (
    <time dateTime={expiresAt} title={`Ends ${expiresAt.replace('T', ' ').slice(0, 19)} UTC`} data-testid="lease-countdown"
      className={`font-mono text-sm tabular-nums ${remaining <= 0 ? 'text-slate-400' : low ? 'text-amber-700' : 'text-slate-800'}`}>
      {remaining <= 0 ? 'ended' : formatRemaining(remaining)}
    </time>
  );
}
