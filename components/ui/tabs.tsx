'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

/** Tab links; the current one is the longest href that prefixes the path. */
export function TabNav({ tabs }: { tabs: { href: string; label: string }[] }) {
  // Typed nullable once a pages/ directory exists (the API lives there); the app router always has one.
  const path = usePathname() ?? '';
  const current = tabs.filter((t) => path === t.href || path.startsWith(t.href + '/')).sort((a, b) => b.href.length - a.href.length)[0];
  return (
    <nav aria-label="Sections" className="-mb-px flex gap-1 overflow-x-auto border-b border-slate-200">
      {tabs.map((t) => {
        const active = t === current;
        return (
          <Link key={t.href} href={t.href} aria-current={active ? 'page' : undefined}
            className={`shrink-0 border-b-2 px-3 py-2 text-sm font-medium ${active ? 'border-indigo-600 text-indigo-700' : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900'}`}>
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}
