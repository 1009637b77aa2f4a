import Link from 'next/link';
import { buttonClass } from '@/components/ui/button-class';

export default function NotFound() {
  return (
    <main className="flex min-h-[60dvh] flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="font-mono text-sm text-slate-500">404</p>
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="max-w-sm text-sm text-slate-600">This page does not exist, or it belongs to a project you are not part of.</p>
      <Link href="/projects" className={buttonClass('secondary')}>Back to your projects</Link>
    </main>
  );
}
