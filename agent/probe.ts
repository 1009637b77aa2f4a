import http from 'node:http';
import https from 'node:https';

/*
 * Whether the control plane can be reached, as far as the agent can tell without a channel of
 * its own to it (pushes come in; nothing goes out): an HTTP request to the server URL it
 * enrolled with. Any HTTP answer counts as reachable; no answer in time is a problem, named.
 * node:http rather than fetch: fetch loads undici, ~10 MB of RSS for the agent's lifetime.
 */
export function probeControlPlane(server: string, timeoutMs = 5000): Promise<string | null> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL('/api/agent/enroll', server);
    } catch {
      return resolve(`cannot reach the control plane: ${server} is not a URL`);
    }
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(null);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs / 1000} s`), { code: `no answer in ${timeoutMs / 1000} s` })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`cannot reach the control plane at ${server}: ${e.code ?? e.message}`));
    req.end();
  });
}
