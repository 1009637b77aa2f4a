import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { load } from '@/lib/server/actions/load';
import { getProjectOp, projectFootprintOp } from '@/lib/server/projects/operations';
import { can } from '@/lib/core/permissions';
import { Card, CardHeader } from '@/components/ui/card';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { deleteProjectAction } from '../../actions';
import { RenameProjectForm } from './rename-form';

export const metadata: Metadata = { title: 'Project settings' };

export default async function ProjectSettingsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const project = await load(getProjectOp, { projectId });
  if (!can(project.role, 'project.manage')) notFound();
  const footprint = await load(projectFootprintOp, { projectId });
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader title="Rename" />
        <div className="p-4 sm:p-5"><RenameProjectForm projectId={projectId} name={project.name} /></div>
      </Card>
      <Card className="ring-red-200">
        <CardHeader title="Delete this project" description="This cannot be undone." actions={
          <ConfirmForm action={deleteProjectAction} hidden={{ projectId }} trigger="Delete project" typeToConfirm={project.name}
            title={`Delete ${project.name}?`} confirmLabel="Delete forever"
            consequences={
              <ul className="list-disc space-y-1 pl-5">
                <li>{footprint.networks} {footprint.networks === 1 ? 'network' : 'networks'} and their {footprint.peers} {footprint.peers === 1 ? 'peer' : 'peers'} are deleted; hosts stop receiving configs.</li>
                <li>{footprint.team} team {footprint.team === 1 ? 'member loses' : 'members lose'} access, and devices lose their addresses here.</li>
                <li>Firewall rules and leases of these networks are deleted.</li>
              </ul>
            } />
        } />
      </Card>
    </div>
  );
}
