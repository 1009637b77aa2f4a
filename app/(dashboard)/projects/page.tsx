import Link from 'next/link';
import type { Metadata } from 'next';
import { load } from '@/lib/server/actions/load';
import { listProjectsOp } from '@/lib/server/projects/operations';
import { Card, CardHeader, EmptyState, Badge } from '@/components/ui/card';
import { CreateProjectForm } from './create-project-form';

export const metadata: Metadata = { title: 'Projects' };

export default async function ProjectsPage() {
  const projects = await load(listProjectsOp, {});
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Projects</h1>
      <Card>
        <CardHeader title="Your projects" description="A project owns private networks and has a team." />
        {projects.length === 0 ? (
          <EmptyState title="No projects yet">Create your first project below, or ask a project owner to add you to their team.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {projects.map((p) => (
              <li key={p.id}>
                <Link href={`/projects/${p.id}`} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 hover:bg-slate-50 sm:px-5">
                  <span className="min-w-0 flex-1 truncate font-medium text-slate-900">{p.name}</span>
                  <code className="hidden font-mono text-xs text-slate-500 sm:inline">{p.id}</code>
                  <span className="text-sm text-slate-500">{p.networkCount} {p.networkCount === 1 ? 'network' : 'networks'}</span>
                  <Badge tone={p.role === 'owner' ? 'indigo' : 'slate'}>{p.role}</Badge>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card>
        <CardHeader title="New project" />
        <div className="p-4 sm:p-5"><CreateProjectForm /></div>
      </Card>
    </div>
  );
}
