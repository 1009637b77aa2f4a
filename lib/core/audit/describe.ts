// The activity log in words: one audit entry becomes a sentence of plain text and links
// ("ops@example.com added application api (web ×2) to backend"). Pure, so the page, the
// tests and any later export say the same thing.

export type ActivityEntry = {
  action: string;
  resourceType: string;
  resourceId: string;
  actorUserId: string | null;
  actorEmail: string | null;
  details: Record<string, unknown> | null;
};

/** What the log's rows point at, as far as those things still exist (looked up per page). */
export type ActivityContext = {
  projectId: string;
  networks: ReadonlyMap<string, { label: string }>;
  members: ReadonlyMap<string, { label: string; kind: string; networkId: string }>;
  peers: ReadonlyMap<string, { name: string; networkId: string }>;
  users: ReadonlyMap<string, { email: string }>;
};

export type Segment = { text: string; href?: string; mono?: boolean };

const text = (t: string): Segment => ({ text: t });
const mono = (t: string): Segment => ({ text: t, mono: true });

function str(details: Record<string, unknown> | null, key: string): string | undefined {
  const v = details?.[key];
  return typeof v === 'string' ? v : undefined;
}

function counts(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  const list = Object.entries(value as Record<string, unknown>).filter(([, n]) => typeof n === 'number');
  return list.map(([p, n]) => (p === 'instance' || p === 'instances' ? `×${n}` : `${p} ×${n}`)).join(', ');
}

const roleWord = (r: unknown) => (typeof r === 'string' ? r : 'member');

/** The sentence for one entry; the actor first, as a link that filters the log by that person. */
export function describeActivity(e: ActivityEntry, ctx: ActivityContext): Segment[] {
  const base = `/projects/${ctx.projectId}`;
  const d = e.details;
  const networkLink = (id: string | undefined, fallback = 'a deleted network'): Segment => {
    const n = id ? ctx.networks.get(id) : undefined;
    return n && id ? { text: n.label, href: `${base}/networks/${id}` } : text(fallback);
  };
  const memberLink = (id: string, fallbackLabel?: string): Segment => {
    const m = ctx.members.get(id);
    return m ? { text: m.label, href: `${base}/networks/${m.networkId}/members/${id}` } : text(fallbackLabel ?? 'a deleted member');
  };
  const peerLink = (id: string): Segment => {
    const p = ctx.peers.get(id);
    return p ? { text: p.name, href: `${base}/networks/${p.networkId}/peers/${id}`, mono: true } : mono(id);
  };
  const userLink = (id: string): Segment => mono(ctx.users.get(id)?.email ?? str(d, 'email') ?? id);
  const actor: Segment = e.actorUserId
    ? { text: e.actorEmail ?? e.actorUserId, href: `${base}/activity?actor=${encodeURIComponent(e.actorUserId)}` }
    : text(e.actorEmail ?? 'Meshplane');
  const says = (...rest: Segment[]) => [actor, ...rest];

  switch (e.action) {
    case 'project.create': return says(text(' created the project '), mono(str(d, 'name') ?? ''));
    case 'project.rename': return says(text(' renamed the project from '), mono(str(d, 'from') ?? '?'), text(' to '), mono(str(d, 'to') ?? '?'));
    case 'project.delete': return says(text(' deleted the project '), mono(str(d, 'name') ?? ''));

    case 'team.add': return says(text(' added '), userLink(e.resourceId), text(` to the team as ${roleWord(d?.role)}`));
    case 'team.role': return says(text(' changed the role of '), userLink(e.resourceId), text(` from ${roleWord(d?.from)} to ${roleWord(d?.to)}`));
    case 'team.remove': return says(text(' removed '), userLink(e.resourceId), text(' from the team'));

    case 'network.create': return says(text(' created network '), networkLink(e.resourceId, str(d, 'label')), ...(str(d, 'cidr') ? [text(' '), mono(str(d, 'cidr')!)] : []));
    case 'network.update': return says(text(' changed '), text(Object.keys(d ?? {}).join(', ') || 'nothing'), text(' of network '), networkLink(e.resourceId));
    case 'network.delete': return says(text(' deleted network '), mono(str(d, 'label') ?? e.resourceId), ...(str(d, 'cidr') ? [text(' '), mono(str(d, 'cidr')!)] : []));
    case 'network.push': {
      const applied = typeof d?.applied === 'number' ? d.applied : 0;
      const failed = typeof d?.failed === 'number' ? d.failed : 0;
      return says(text(' pushed '), networkLink(e.resourceId), text(` to its hosts: ${applied} applied, ${failed} failed`));
    }

    case 'member.create': {
      const m = ctx.members.get(e.resourceId);
      const scale = counts(d?.processes);
      return says(text(` added ${str(d, 'kind') ?? m?.kind ?? 'member'} `), memberLink(e.resourceId, str(d, 'label')), ...(scale ? [text(` (${scale})`)] : []),
        text(' to '), networkLink(m?.networkId ?? str(d, 'networkId')));
    }
    case 'member.scale': return says(text(' scaled '), memberLink(e.resourceId), text(` to ${counts(d) || '?'}`));
    case 'member.update': return says(text(' changed '), text(Object.keys(d ?? {}).join(', ') || 'nothing'), text(' of '), memberLink(e.resourceId));
    case 'member.delete': {
      const peers = typeof d?.peers === 'number' ? d.peers : 0;
      return says(text(' removed '), mono(str(d, 'label') ?? e.resourceId), text(` and its ${peers} ${peers === 1 ? 'host' : 'hosts'}`),
        ...(str(d, 'networkId') ? [text(' from '), networkLink(str(d, 'networkId'))] : []));
    }

    case 'peer.enrollment_token.create': return says(text(' made an enrolment token for host '), peerLink(e.resourceId));
    case 'peer.enroll': return [text('Host '), peerLink(e.resourceId), text(' enrolled its agent')];
    case 'join_key.create': return says(text(' made a join key for '), memberLink(e.resourceId), text(joinKeyTerms(d)));
    case 'join_key.revoke': return says(text(' revoked a join key of '), memberLink(e.resourceId));
    case 'peer.join': return [text('Host '), peerLink(e.resourceId), text(` joined with a join key as ${str(d, 'process') ?? '?'} ${String(d?.number ?? '?')}`)];
    case 'peer.leave': return [text('Host '), peerLink(e.resourceId), text(' left its instance')];
    case 'peer.release': return [text('The control plane released host '), peerLink(e.resourceId), text(` (${str(d, 'reason') ?? 'ephemeral'})`)];
    case 'peer.update': {
      const changes = [
        d?.keyRegistered ? 'registered a key for' : null,
        d?.gateway === true ? 'made the gateway' : d?.gateway === false ? 'stopped the gateway role of' : null,
        typeof d?.endpoint === 'string' ? `set the endpoint ${d.endpoint} for` : d?.endpoint === null ? 'cleared the endpoint of' : null,
      ].filter(Boolean);
      return says(text(` ${changes.join(' and ') || 'changed'} host `), peerLink(e.resourceId));
    }

    case 'firewall.rule.add': return says(text(' allowed '), mono(str(d, 'cidr') ?? '?'), text(' on '), networkLink(str(d, 'networkId')), ...(str(d, 'note') ? [text(` (${str(d, 'note')})`)] : []));
    case 'firewall.rule.delete': return says(text(' removed the rule '), mono(str(d, 'cidr') ?? '?'), text(' from '), networkLink(str(d, 'networkId')));
    case 'firewall.lease.create': return says(text(' leased '), mono(str(d, 'ip') ?? '?'), text(' for 24 hours on '), networkLink(str(d, 'networkId')));
    case 'firewall.lease.renew': return says(text(' renewed the lease of '), mono(str(d, 'ip') ?? '?'), text(' on '), networkLink(str(d, 'networkId')));
    case 'firewall.lease.revoke': return says(text(' ended the lease of '), mono(str(d, 'ip') ?? '?'), text(' on '), networkLink(str(d, 'networkId')));

    case 'device.create': return says(text(' added the device '), mono(str(d, 'name') ?? e.resourceId));
    case 'device.regenerate': return says(text(' made a new key for the device '), mono(str(d, 'name') ?? e.resourceId));
    case 'device.delete': return says(text(' deleted the device '), mono(str(d, 'name') ?? e.resourceId));

    default: return says(text(' '), mono(e.action), text(' '), mono(e.resourceId));
  }
}

/** The resource kinds the log can be filtered by, with the audit resource types each covers. */
export const activityKinds = {
  network: { label: 'Networks', types: ['network'] },
  member: { label: 'Members', types: ['member'] },
  host: { label: 'Hosts', types: ['peer'] },
  firewall: { label: 'Firewall', types: ['firewall_rule', 'lease'] },
  team: { label: 'Team', types: ['user', 'invitation'] },
  device: { label: 'Devices', types: ['device'] },
  project: { label: 'Project', types: ['project'] },
} as const;

export type ActivityKind = keyof typeof activityKinds;

/** "web, autoscale up to 20, ephemeral" for a join key's audit line. */
function joinKeyTerms(d: Record<string, unknown> | null | undefined): string {
  const terms = [typeof d?.process === 'string' ? d.process : 'any process',
    d?.autoscale ? `autoscale${typeof d?.maxInstances === 'number' ? ` up to ${d.maxInstances}` : ''}` : null, d?.ephemeral ? 'ephemeral' : null].filter(Boolean);
  return ` (${terms.join(', ')})`;
}
