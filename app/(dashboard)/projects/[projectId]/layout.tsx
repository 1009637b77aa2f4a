import Link from 'next/link';
import { load } from '@/lib/server/actions/load';
import { getProjectOp } from '@/lib/server/projects/operations';
import { Badge } from '@/components/ui/card';
import { TabNav } from '@/components/ui/tabs';
import { can } from '@/lib/core/permissions';

export default async function ProjectLayout({ children, params }: { children: React.ReactNode; params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const project = await load(getProjectOp, { projectId });
  const base = `/projects/${projectId}`;
  const tabs = [
    { href: base, label: 'Networks' },
    { href: `${base}/team`, label: 'Team' },
    { href: `${base}/activity`, label: 'Activity' },
    ...(can(project.role, 'project.manage') ? [{ href: `${base}/settings`, label: 'Settings' }] : []),
  ];
  return (
    <div className="space-y-5">
      <div>
        <Link href="/projects" className="text-sm text-slate-500 hover:text-slate-800">← Projects</Link>
        <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1">
          <h1 className="text-2xl font-semibold tracking-tight break-all">{project.name}</h1>
          <code className="font-mono text-xs text-slate-500">{project.id}</code>
          <Badge tone="indigo">your role: {project.role}</Badge>
        </div>
      </div>
      <TabNav tabs={tabs} />
      {children}
    </div>
  );
}
