'use client';
import { Button } from '@/components/ui/button';

/** Unexpected failures: a way forward, and the digest that matches the server log line. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="mx-auto max-w-md space-y-3 rounded-lg bg-white p-6 text-center shadow-xs ring-1 ring-slate-200">
      <h1 className="text-lg font-semibold">Something went wrong on our side</h1>
      <p className="text-sm text-slate-600">Nothing was changed by this page. Try again; if it keeps failing, give your operator this reference:</p>
      {error.digest && <code className="block font-mono text-xs text-slate-500">{error.digest}</code>}
      <Button onClick={reset}>Try again</Button>
    </div>
  );
}
