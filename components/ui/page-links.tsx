import Link from 'next/link';
import type { PageSlice } from '@/lib/core/networks/page-bounds';

/** Previous / Next links between server-rendered pages, and which items this page shows. Nothing when one page holds all. */
export function PageLinks({ slice, total, noun, href, label }: { slice: PageSlice; total: number; noun: string; href: (page: number) => string; label: string }) {
  if (slice.pages <= 1) return null;
  const link = 'rounded px-2 py-1.5 font-medium text-indigo-700 hover:bg-slate-50 hover:underline';
  return (
    <nav aria-label={label} className="flex items-center justify-between gap-2 border-t border-slate-100 px-4 py-2 text-sm sm:px-5" data-testid="page-links">
      {slice.page > 1 ? <Link className={link} href={href(slice.page - 1)} rel="prev">← Previous</Link> : <span className="px-2 py-1.5 text-slate-300">← Previous</span>}
      <span className="text-xs text-slate-500">{noun} {slice.from + 1}–{slice.to} of {total}</span>
      {slice.page < slice.pages ? <Link className={link} href={href(slice.page + 1)} rel="next">Next →</Link> : <span className="px-2 py-1.5 text-slate-300">Next →</span>}
    </nav>
  );
}
