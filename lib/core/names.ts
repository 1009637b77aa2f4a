import { z } from 'zod';

// Private DNS names (DESIGN.md "Addressing and names"). Ids, process names, device names and
// user handles are all DNS labels, so every name below is a valid DNS name by construction.

export const defaultDnsZone = 'mesh.internal';

export const memberKinds = ['application', 'addon', 'external'] as const;
export type MemberKind = (typeof memberKinds)[number];

export type InstanceNameInput = {
  zone?: string;
  networkId: string;
  memberId: string;
  kind: MemberKind;
  /** The process (`web`, `worker`, …) of an application instance; ignored for other kinds. */
  process?: string | null;
  number: number;
};

/**
 * Names that resolve to one instance: its own name first (its MESHPLANE_PRIVATE_HOSTNAME),
 * then the group names it is one A record of.
 */
export function memberNames(input: InstanceNameInput): string[] {
  const { zone = defaultDnsZone, networkId, memberId, kind, number } = input;
  const member = `${memberId}.${networkId}.${zone}`;
  if (kind !== 'application') return [`${number}.${member}`, member];
  if (!input.process) throw new Error(`Application instance ${memberId} #${number} has no process name`);
  const processName = `${input.process}.${member}`;
  // `web` instances answer on the member's own name (DESIGN.md); other processes on theirs.
  return [`${number}.${processName}`, input.process === 'web' ? member : processName];
}

/** The group names of a member, e.g. for the API's list of a member's domain names. */
export function memberGroupNames(input: {
  zone?: string; networkId: string; memberId: string; kind: MemberKind; processes?: string[];
}): string[] {
  const { zone = defaultDnsZone, networkId, memberId, kind, processes = [] } = input;
  const member = `${memberId}.${networkId}.${zone}`;
  if (kind !== 'application') return [member];
  return [...new Set(processes)].sort().map((process) => (process === 'web' ? member : `${process}.${member}`));
}

export function deviceName(input: { zone?: string; networkId: string; deviceName: string; userHandle: string }): string {
  const { zone = defaultDnsZone, networkId, deviceName: device, userHandle } = input;
  return `${device}.${userHandle}.dev.${networkId}.${zone}`;
}

const dnsLabelPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** An RFC 1035 label as we allow it: lower case a-z, 0-9 and inner hyphens, 1 to 63 long. */
export function isDnsLabel(s: string): boolean {
  return dnsLabelPattern.test(s);
}

/** A full name without the root dot: at most 253 characters, every label valid. */
export function isValidDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every(isDnsLabel);
}

export const dnsLabelMessage =
  'Use lower-case letters, digits and hyphens, at most 63, not starting or ending with a hyphen';

export const dnsLabelSchema = z.string().regex(dnsLabelPattern, dnsLabelMessage);
