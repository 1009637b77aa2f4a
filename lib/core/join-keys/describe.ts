/** What a join key may do, as its row reads: "web, up to 20 instances, ephemeral, expires in 29 days, used 7 times". Pure. */
export function describeJoinKey(k: {
  process: string | null; autoscale: boolean; maxInstances: number | null; ephemeral: boolean; maxUses: number | null; uses: number;
  expiresAt: Date | string; revokedAt: Date | string | null;
}, now = new Date()): string {
  const parts = [k.process === null ? 'any process' : k.process === 'instance' ? 'instances' : k.process];
  if (k.autoscale) parts.push(k.maxInstances === null ? 'autoscales' : `up to ${k.maxInstances} instances`);
  if (k.ephemeral) parts.push('ephemeral');
  const expires = new Date(k.expiresAt).getTime() - now.getTime();
  if (k.revokedAt) parts.push('revoked');
  else if (expires <= 0) parts.push('expired');
  else parts.push(`expires in ${expires >= 86_400_000 ? plural(Math.floor(expires / 86_400_000), 'day') : plural(Math.max(1, Math.floor(expires / 3_600_000)), 'hour')}`);
  parts.push(`used ${k.uses === 1 ? 'once' : `${k.uses} times`}${k.maxUses === null ? '' : ` of ${k.maxUses}`}`);
  return parts.join(', ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
