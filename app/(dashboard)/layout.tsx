import Link from 'next/link';
import { load } from '@/lib/server/actions/load';
import { requireUser } from '@/lib/server/auth/session';
import { env } from '@/lib/server/env';
import { developerAccessOp } from '@/lib/server/projects/operations';
import { Logo } from '@/components/shell/logo';
import { signOutAction } from '../(auth)/actions';
import { SubmitButton } from '@/components/ui/button';
import { Providers } from '@/components/shell/providers';

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  const showAccess = await load(developerAccessOp, {});
  const links = [{ href: '/projects', label: 'Projects' }, ...(showAccess ? [{ href: '/access', label: 'My access' }] : []), { href: '/settings', label: 'Settings' }];
  return (
    <div className="min-h-dvh">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/projects" aria-label="Meshplane home"><Logo /></Link>
          <nav aria-label="Main" className="order-3 flex w-full gap-1 sm:order-none sm:w-auto">
            {links.map((l) => <Link key={l.href} href={l.href} className="rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100">{l.label}</Link>)}
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <span className="hidden max-w-48 truncate text-sm text-slate-500 sm:inline" title={user.email}>{user.email}</span>
            <form action={signOutAction}><SubmitButton variant="secondary" size="sm" pendingText="Signing out…">Sign out</SubmitButton></form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-6"><Providers dnsZone={env().MESHPLANE_DNS_ZONE}>{children}</Providers></main>
    </div>
  );
}
