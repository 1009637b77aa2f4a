/** A loading skeleton for pages whose segment cannot answer 404 (see app/(dashboard)/access/loading.tsx). */
export function PageSkeleton() {
  return (
    <div aria-busy="true" aria-live="polite" className="space-y-4">
      <span className="sr-only">Loading…</span>
      <div className="h-7 w-48 animate-pulse rounded bg-slate-200" />
      <div className="h-40 animate-pulse rounded-lg bg-white ring-1 ring-slate-200" />
      <div className="h-64 animate-pulse rounded-lg bg-white ring-1 ring-slate-200" />
    </div>
  );
}
