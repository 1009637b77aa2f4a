/*
 * Whether the control plane can be reached, as far as the agent can tell without a channel of
 * its own to it (pushes come in; nothing goes out): an HTTP request to the server URL it
 * enrolled with. Any HTTP answer counts as reachable; no answer in time is a problem, named.
 */
export async function probeControlPlane(server: string, timeoutMs = 5000): Promise<string | null> {
  try {
    const res = await fetch(new URL('/api/agent/enroll', server), { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return null;
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = (e as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs / 1000} s` : cause?.code ?? cause?.message ?? (e as Error).message;
    return `cannot reach the control plane at ${server}: ${why}`;
  }
}
