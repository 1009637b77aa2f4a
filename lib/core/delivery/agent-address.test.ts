import { describe, expect, it } from 'vitest';
import ipaddr from 'ipaddr.js';
import { addressRefusal, agentUrlProblem, parseAllowEntry } from './agent-address';
import { resolveAgentTarget } from '../../server/delivery/agent-target';

const judge = (a: string, allow: string[] = []) => addressRefusal(ipaddr.parse(a), allow.map(parseAllowEntry));
const noDns = async () => { throw new Error('no DNS in this test'); };

describe('addressRefusal', () => {
  it('refuses loopback, unspecified, link-local, multicast, broadcast and metadata addresses', () => {
    expect(judge('127.0.0.1')).toBe('a loopback address');
    expect(judge('127.255.0.9')).toBe('a loopback address');
    expect(judge('::1')).toBe('a loopback address');
    expect(judge('::ffff:127.0.0.1')).toBe('a loopback address');
    expect(judge('0.0.0.0')).toBe('an unspecified address');
    expect(judge('0.1.2.3')).toBe('an unspecified address'); // Linux connects 0.0.0.0/8 to itself
    expect(judge('::')).toBe('an unspecified address');
    expect(judge('169.254.169.254')).toBe('a metadata address');
    expect(judge('169.254.3.4')).toBe('a link-local address');
    expect(judge('fe80::1')).toBe('a link-local address');
    expect(judge('fd00:ec2::254')).toBe('a metadata address');
    expect(judge('100.100.100.200')).toBe('a metadata address');
    expect(judge('224.0.0.251')).toBe('a multicast address');
    expect(judge('ff02::1')).toBe('a multicast address');
    expect(judge('255.255.255.255')).toBe('the broadcast address');
    // IPv4 carried inside IPv6 (compatible, NAT64) is judged as that IPv4 address.
    expect(judge('::7f00:1')).toBe('a loopback address');
    expect(judge('64:ff9b::a9fe:a9fe')).toBe('a metadata address');
  });

  it('allows the addresses hosts have: public, private, CGNAT, documentation, unique-local', () => {
    for (const a of ['203.0.113.7', '10.1.2.3', '192.168.0.9', '172.16.5.5', '100.64.0.1', '198.51.100.2', '2001:db8::7', 'fd12:3456::1', '::ffff:198.51.100.15']) {
      expect(judge(a), a).toBeNull();
    }
  });

  it('MESHPLANE_AGENT_URL_ALLOW lets named ranges through, in any spelling', () => {
    expect(judge('127.0.0.1', ['127.0.0.1/32'])).toBeNull();
    expect(judge('::ffff:127.0.0.1', ['127.0.0.0/8'])).toBeNull();
    expect(judge('127.0.0.2', ['127.0.0.1'])).toBe('a loopback address');
    expect(judge('127.0.0.1', ['::ffff:127.0.0.1/128'])).toBeNull();
    expect(judge('::1', ['127.0.0.1/32'])).toBe('a loopback address');
    expect(judge('fe80::5', ['fe80::/10'])).toBeNull();
  });
});

describe('agentUrlProblem', () => {
  it('takes http(s) URLs without credentials only', () => {
    expect(agentUrlProblem('http://203.0.113.7:51821')).toBeNull();
    expect(agentUrlProblem('https://agent.example.com/')).toBeNull();
    expect(agentUrlProblem('ftp://203.0.113.7')).toBe('only http and https are allowed');
    expect(agentUrlProblem('file:///etc/passwd')).toBe('only http and https are allowed');
    expect(agentUrlProblem('http://user:pass@203.0.113.7:51821')).toBe('no user name or password may be given in the URL');
    expect(agentUrlProblem('http://user@203.0.113.7')).toBe('no user name or password may be given in the URL');
    expect(agentUrlProblem('not a url')).toBe('not a URL');
  });
});

describe('resolveAgentTarget', () => {
  it('refuses every spelling of loopback', async () => {
    for (const url of ['http://127.0.0.1:51821', 'http://2130706433:51821', 'http://127.1/', 'http://0x7f.1/', 'http://0177.0.0.1/',
      'http://0.0.0.0:80', 'http://0:80', 'http://[::1]:51821', 'http://[::ffff:127.0.0.1]:51821', 'http://[::]:80']) {
      const r = await resolveAgentTarget(url, [], noDns);
      expect(r.ok, url).toBe(false);
      expect(!r.ok && r.error, url).toMatch(/^address not allowed: the agent URL's host is (a loopback|an unspecified) address$/);
    }
  });

  it('judges every address a name has, and connects to the one it judged', async () => {
    const fake = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    expect(await resolveAgentTarget('http://localhost:51821', [], fake('127.0.0.1', '::1'))).toEqual({
      ok: false, error: 'address not allowed: the agent URL\'s host resolves to a loopback address',
    });
    expect(await resolveAgentTarget('http://agent.example:1', [], fake('203.0.113.9', '169.254.169.254'))).toMatchObject({ ok: false });
    const r = await resolveAgentTarget('https://agent.example:7443/x', [], fake('::ffff:203.0.113.9'));
    expect(r).toMatchObject({ ok: true, target: { address: '203.0.113.9', family: 4 } });
    expect(r.ok && r.target.url.hostname).toBe('agent.example'); // kept for Host and TLS
    expect(await resolveAgentTarget('http://gone.example', [], noDns)).toEqual({ ok: false, error: 'host name not found' });
  });

  it('refuses credentials and other schemes before resolving anything', async () => {
    expect(await resolveAgentTarget('http://u:p@203.0.113.7', [], noDns)).toEqual({ ok: false, error: 'address not allowed: no user name or password may be given in the URL' });
    expect(await resolveAgentTarget('gopher://203.0.113.7', [], noDns)).toMatchObject({ ok: false });
  });
});
