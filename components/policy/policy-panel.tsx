import { load } from '@/lib/server/actions/load';
import { can } from '@/lib/core/permissions';
import { getPolicyOp } from '@/lib/server/policy/operations';
import { listMembersOp } from '@/lib/server/members/operations';
import { listPeersOp } from '@/lib/server/peers/operations';
import { listNetworkDevicesOp } from '@/lib/server/devices/operations';
import { flowsCutByIsolation } from '@/lib/core/policy/cut-flows';
import { policyMatrix, portsLabel } from '@/lib/core/policy/matrix';
import { Badge, Card, CardHeader } from '@/components/ui/card';
import { ConfirmForm } from '@/components/ui/confirm-form';
import { deletePolicyRuleAction, setPolicyModeAction } from './actions';
import { AddPolicyRuleForm, ReachabilityChecker, type SelectorOption } from './policy-forms';
import { CutFlowsList, OpenNetworkForm } from './mode-forms';
import { matrixMembers } from '@/lib/core/networks/page-bounds';

/**
 * Who may reach whom inside the network: the mode, the allow rules, the matrix they make and
 * a checker naming the deciding rule. Buttons follow the caller's role; the server checks again.
 */
export async function PolicyPanel({ networkId }: { networkId: string }) {
  const [policy, members] = await Promise.all([load(getPolicyOp, { networkId }), load(listMembersOp, { networkId })]);
  const admin = can(policy.role, 'network.write');
  const isolated = policy.mode === 'isolated';
  const memberOptions: SelectorOption[] = members.flatMap((m) => [
    { value: m.id, label: m.label },
    ...Object.keys(m.processes ?? {}).map((p) => ({ value: `${m.id}/${p}`, label: `${m.label} / ${p}` })),
  ]);
  const tags = [...new Set(members.flatMap((m) => m.tags))].sort();
  const targets = [...memberOptions, ...tags.map((t) => ({ value: `tag:${t}`, label: `tag:${t}` }))];
  const sources = [{ value: 'devices', label: 'devices (team members)' }, ...targets];
  const labels = Object.fromEntries(sources.map((o) => [o.value, o.label]));
  const name = (s: string) => labels[s] ?? s;
  // Bounded: the first members only (the checker above answers for any pair).
  const inMatrix = members.slice(0, matrixMembers);
  const matrix = policyMatrix(inMatrix, policy.rules, true);
  // What isolating cuts, from the hosts' handshakes (asked only of admins of an open network).
  const flows = admin && !isolated ? await cutFlows(networkId, members, policy.rules) : null;
  return (
    <div data-testid="policy-panel">
    <Card>
      <CardHeader title="Access policy"
        description={isolated
          ? 'Isolated: members reach each other only where a rule below allows it. Replies pass; hosts still reach themselves and answer DNS.'
          : 'Open: every member reaches every other on every port, and devices reach every member. Rules below take effect when the network is isolated.'}
        actions={<div className="flex flex-wrap items-center gap-2">
          <Badge tone={isolated ? 'amber' : 'green'}>{policy.mode}</Badge>
          {admin && (isolated ? <OpenNetworkForm networkId={networkId} /> : (
            <ConfirmForm action={setPolicyModeAction} hidden={{ networkId, mode: 'isolated' }} size="sm" trigger="Switch to isolated"
              title="Isolate this network?" confirmLabel="Isolate"
              consequences={<ul className="list-disc space-y-1 pl-5">
                <li>At the next push, every host refuses new connections from other members and devices that no rule allows.</li>
                <li>{policy.rules.length === 0 ? 'There are no rules yet: all traffic between members stops.' : `${policy.rules.length} ${policy.rules.length === 1 ? 'rule stays' : 'rules stay'} open (listed below); everything else between members is cut.`}</li>
                {flows && <CutFlowsList flows={flows} />}
                <li>Connections already open keep their replies until they close.</li>
              </ul>} />
          ))}
        </div>} />

      <section aria-labelledby="policy-rules-heading">
        <h3 id="policy-rules-heading" className="px-4 pt-4 text-sm font-semibold text-slate-900 sm:px-5">Allow rules</h3>
        {policy.rules.length === 0 ? (
          <p className="px-4 pt-1 pb-4 text-sm text-slate-500 sm:px-5">No rules.{admin ? ' Add one below, e.g. the API to the database on tcp 5432.' : ''}</p>
        ) : (
          <ul className="mt-2 divide-y divide-slate-100 border-t border-slate-100">
            {policy.rules.map((r) => (
              <li key={r.id} data-testid="policy-rule" className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3 sm:px-5">
                <div className="min-w-0 flex-1 basis-56">
                  <p className="text-sm break-words text-slate-900">
                    <span className="font-medium">{name(r.from)}</span> → <span className="font-medium">{name(r.to)}</span>{' '}
                    <Badge tone="indigo">{portsLabel(r.protocol, r.ports)}</Badge>
                  </p>
                  <p className="truncate text-xs text-slate-500"><code className="font-mono">{r.id}</code>{r.note ? ` · ${r.note}` : ''}</p>
                </div>
                {admin && (
                  <ConfirmForm action={deletePolicyRuleAction} hidden={{ policyRuleId: r.id }} size="sm" trigger="Delete"
                    title="Delete this rule?" confirmLabel="Delete rule"
                    consequences={<p>{isolated ? `At the next push, ${name(r.from)} can no longer open ${portsLabel(r.protocol, r.ports)} connections to ${name(r.to)}, unless another rule allows it.` : 'The network is open: nothing changes until it is isolated.'}</p>} />
                )}
              </li>
            ))}
          </ul>
        )}
        {admin && members.length > 0 && <div className="border-t border-slate-200 px-4 py-4 sm:px-5"><AddPolicyRuleForm networkId={networkId} sources={sources} targets={targets} /></div>}
      </section>

      {members.length > 0 && (
        <section aria-labelledby="policy-check-heading" className="border-t border-slate-200 px-4 py-4 sm:px-5">
          <h3 id="policy-check-heading" className="mb-2 text-sm font-semibold text-slate-900">Check a connection</h3>
          <ReachabilityChecker networkId={networkId} sources={sources} targets={targets} labels={labels} />
        </section>
      )}

      {members.length > 0 && (
        <section aria-labelledby="policy-matrix-heading" className="border-t border-slate-200 py-4">
          <h3 id="policy-matrix-heading" className="px-4 text-sm font-semibold text-slate-900 sm:px-5">Who can reach whom</h3>
          <p className="px-4 pb-2 text-xs text-slate-500 sm:px-5">Rows open connections to columns. {isolated ? 'An empty cell is refused.' : 'Open network: every cell is allowed on every port.'} * one process only.{members.length > inMatrix.length ? ` The first ${inMatrix.length} of ${members.length} members; check any other pair above.` : ''}</p>
          <div className="overflow-x-auto px-4 sm:px-5">
            <table aria-labelledby="policy-matrix-heading" className="min-w-full border-collapse text-left text-xs">
              <thead>
                <tr>
                  <th scope="col" className="sticky left-0 bg-white p-2 font-medium text-slate-500">from \ to</th>
                  {inMatrix.map((m) => <th key={m.id} scope="col" className="p-2 font-medium whitespace-nowrap text-slate-700">{m.label}</th>)}
                </tr>
              </thead>
              <tbody>
                {matrix.map((row) => (
                  <tr key={row.from === 'devices' ? 'devices' : row.from.id} className="border-t border-slate-100">
                    <th scope="row" className="sticky left-0 bg-white p-2 font-medium whitespace-nowrap text-slate-700">{row.from === 'devices' ? 'devices' : row.from.label}</th>
                    {row.cells.map((c) => (
                      <td key={c.to.id} className="p-2 align-top whitespace-nowrap">
                        {!isolated ? <span className="text-green-700">all</span>
                          : row.from !== 'devices' && row.from.id === c.to.id ? <span className="text-slate-400">self</span>
                            : c.entries.length === 0 ? <span className="text-slate-300">—</span>
                              : c.entries.map((e) => <span key={e.ruleId} title={e.ruleId} className="block text-indigo-800">{e.label}{e.partial ? '*' : ''}</span>)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </Card>
    </div>
  );
}

async function cutFlows(networkId: string, members: { id: string; label: string; tags: string[] }[], rules: Parameters<typeof flowsCutByIsolation>[2]) {
  const [peers, devices] = await Promise.all([load(listPeersOp, { networkId, limit: 1000 }), load(listNetworkDevicesOp, { networkId })]);
  const byMember = new Map<string, (Date | string | null)[]>();
  for (const p of peers.items) byMember.set(p.memberId, [...(byMember.get(p.memberId) ?? []), p.lastHandshakeAt]);
  const withActivity = members.map((m) => ({ id: m.id, label: m.label, tags: m.tags, lastHandshakeAt: byMember.get(m.id) ?? [] }));
  return flowsCutByIsolation(withActivity, devices.map((d) => d.lastHandshakeAt), rules, new Date());
}
